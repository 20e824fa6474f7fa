using System.Diagnostics;
using static Skiff.IntegrationTests.BridgeNetworkTests;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>
/// A run that fails leaves no half-made container holding its name, bad input is refused by Skiff
/// in one sentence before anything is made, and -v says which host directories it created.
/// </summary>
[Collection("host state")]
public sealed class RunFailureTests
{
    private static readonly string[] Web = WebServer("up");


    private static bool Exists(string name) => RunSkiff("inspect", name).ExitCode == 0;

    [Fact]
    public void A_detached_run_refused_a_port_another_container_publishes_leaves_the_name_free()
    {
        WithNetwork("10.72.0.0/24", [], net =>
        {
            Detached(net, ["--name", "fail-p1", "-p", "18072:80", .. Web]);
            var dirsBefore = ContainerDirs();
            AssertOneSentence(RunSkiff(["run", "-d", "--network", net, "--name", "fail-p2", "-p", "18072:80", .. Web]), "is already published by container");
            Assert.False(Exists("fail-p2"), "the failed run left its container behind");
            Assert.Equal(dirsBefore, ContainerDirs());
            Detached(net, ["--name", "fail-p2", "-p", "18073:80", .. Web]);
        });
    }

    [Fact]
    public void A_detached_run_refused_a_port_a_host_program_holds_leaves_the_name_free()
    {
        WithNetwork("10.73.0.0/24", [], net =>
        {
            using var holder = Process.Start("socat", ["TCP-LISTEN:18074,reuseaddr", "STDOUT"]);
            try
            {
                Sandbox.Eventually(() => Sh("ss -ltn | grep -q ':18074 '").ExitCode == 0, "socat listens");
                AssertOneSentence(RunSkiff(["run", "-d", "--network", net, "--name", "fail-host", "-p", "18074:80", .. Web]), "is already in use by a program on the host");
                Assert.False(Exists("fail-host"), "the failed run left its container behind");
            }
            finally
            {
                holder.Kill();
            }
            Detached(net, ["--name", "fail-host", "-p", "18074:80", .. Web]);
        });
    }

    /// <summary>Docker keeps a container that was created on its own and failed at start, and says why in State.Error.</summary>
    [Fact]
    public void A_created_container_that_fails_to_start_is_kept_with_the_reason()
    {
        WithNetwork("10.74.0.0/24", [], net =>
        {
            Detached(net, ["--name", "fail-s1", "-p", "18075:80", .. Web]);
            Ok(RunSkiff(["create", "--network", net, "--name", "fail-s2", "-p", "18075:80", .. Web]));
            // Docker's start says "failed to start containers" with exit 1.
            AssertOneSentence(RunSkiff("start", "fail-s2"), "is already published by container", exitCode: 1);
            var state = Inspect("fail-s2").GetProperty("State");
            Assert.Equal("created", state.GetProperty("Status").GetString());
            Assert.Contains("is already published by container", state.GetProperty("Error").GetString());
            Assert.Equal(128, state.GetProperty("ExitCode").GetInt32());
        });
    }

    [Theory]
    [InlineData("99", "CPU 99 is not available; choose among the online CPUs 0-")]
    [InlineData("abc", "invalid --cpuset-cpus \"abc\"")]
    [InlineData("0-", "invalid --cpuset-cpus \"0-\"")]
    [InlineData("1-0", "invalid --cpuset-cpus \"1-0\"")]
    public void A_cpuset_the_machine_does_not_have_is_refused_with_the_online_cpus(string cpus, string expected)
    {
        foreach (var detach in new[] { true, false })
        {
            var name = UniqueName();
            AssertOneSentence(RunSkiff([.. detach ? new[] { "run", "-d" } : ["run", "--rm"], "--name", name, "--cpuset-cpus", cpus, "busybox", "true"]), expected);
            Assert.False(Exists(name), "the refused run left a container");
        }
    }

    [Theory]
    [InlineData("--memory", "99999999999g", "larger than the largest size")]
    [InlineData("--memory-swap", "99999999999g", "larger than the largest size")]
    [InlineData("--memory", "lots", "invalid argument \"lots\" for \"--memory\" flag")]
    [InlineData("--cpus", "abc", "invalid argument \"abc\" for \"--cpus\" flag")]
    [InlineData("--cpu-shares", "-1", "invalid argument \"-1\" for \"--cpu-shares\" flag")]
    [InlineData("--pids-limit", "many", "invalid argument \"many\" for \"--pids-limit\" flag")]
    [InlineData("--tmpfs", "/x:size=abc", "invalid tmpfs option \"size=abc\" for /x")]
    [InlineData("--log-opt", "max-size=99999999999g", "larger than the largest size")]
    public void A_number_or_size_out_of_range_is_refused_naming_the_flag(string flag, string value, string expected) =>
        AssertOneSentence(RunSkiff("run", "--rm", flag, value, "busybox", "true"), expected);

    [Fact]
    public void A_missing_v_source_is_created_and_said_while_mount_stays_strict()
    {
        var top = Path.Join(Path.GetTempPath(), UniqueName());
        var nested = Path.Join(top, "a", "b");
        try
        {
            var r = RunSkiff("run", "--rm", "-v", $"{nested}:/x", "busybox", "true");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains($"created the host directory {nested} (and the missing parents from {top})", r.Stderr);
            Assert.True(Directory.Exists(nested));

            // As the docker CLI does: ./ and ../ are relative to the current directory; a bare name is a volume.
            var relative = Sh($"cd {top} && {Binary} run --rm -v ./sub:/x busybox true");
            Assert.True(relative.ExitCode == 0, relative.ToString());
            Assert.Contains($"created the host directory {Path.Join(top, "sub")} for a -v mount", relative.Stderr);
            Assert.True(Directory.Exists(Path.Join(top, "sub")));

            var existing = RunSkiff("run", "--rm", "-v", $"{nested}:/x", "busybox", "true");
            Assert.DoesNotContain("created", existing.Stderr);

            var strict = RunSkiff("run", "--rm", "--mount", $"type=bind,source={top}/none,target=/x", "busybox", "true");
            Assert.Equal(125, strict.ExitCode);
            Assert.False(Directory.Exists(Path.Join(top, "none")));

            var blocked = Path.Join(top, "file");
            File.WriteAllText(blocked, "");
            AssertOneSentence(RunSkiff("run", "--rm", "-v", $"{blocked}/under:/x", "busybox", "true"), $"the -v source {blocked}/under does not exist and cannot be created");
        }
        finally
        {
            if (Directory.Exists(top)) Directory.Delete(top, recursive: true);
        }
    }
}
