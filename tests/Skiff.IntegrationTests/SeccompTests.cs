using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

public sealed class SeccompTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-seccomp-test").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RunResult Ok(params string[] args)
    {
        var r = RunSkiff(args);
        Assert.True(r.ExitCode == 0, $"skiff {string.Join(' ', args)}\n{r}");
        return r;
    }

    private static Dictionary<string, string> Probe(string[] flags, params string[] probes)
    {
        var r = Ok(["run", "--rm", "--network", "none", "-v", ProbeProgram.Volume, .. flags, "busybox", ProbeProgram.InContainer, .. probes]);
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
    }

    private static string SeccompLine(RunResult r) => r.Stdout.Split('\n').First(l => l.StartsWith("Seccomp:")).Split(':')[1].Trim();

    [Fact]
    public void Default_container_runs_in_seccomp_filter_mode_and_privileged_does_not()
    {
        Assert.Equal("2", SeccompLine(Ok("run", "--rm", "--network", "none", "busybox", "grep", "Seccomp", "/proc/self/status")));
        Assert.Equal("0", SeccompLine(Ok("run", "--rm", "--network", "none", "--privileged", "busybox", "grep", "Seccomp", "/proc/self/status")));
        Assert.Equal("0", SeccompLine(Ok("run", "--rm", "--network", "none", "--security-opt", "seccomp=unconfined", "busybox", "grep", "Seccomp", "/proc/self/status")));
    }

    [Fact]
    public void Keyctl_add_key_and_new_user_namespaces_fail_with_EPERM_by_default_and_work_unconfined()
    {
        var confined = Probe([], "keyctl", "add_key", "unshare-user");
        Assert.Equal("EPERM", confined["keyctl"]);
        Assert.Equal("EPERM", confined["add_key"]);
        Assert.Equal("EPERM", confined["unshare-user"]);

        var unconfined = Probe(["--security-opt", "seccomp=unconfined"], "keyctl", "add_key", "unshare-user");
        Assert.Equal("OK", unconfined["keyctl"]);
        Assert.Equal("OK", unconfined["add_key"]);
        Assert.Equal("OK", unconfined["unshare-user"]);
    }

    [Fact]
    public void No_new_privileges_loads_the_same_filter_at_the_last_moment()
    {
        var r = Ok("run", "--rm", "--network", "none", "--security-opt", "no-new-privileges", "busybox", "grep", "-E", "NoNewPrivs|Seccomp:", "/proc/self/status");
        Assert.Contains("NoNewPrivs:\t1", r.Stdout);
        Assert.Equal("2", SeccompLine(r));
        Assert.Equal("EPERM", Probe(["--security-opt", "no-new-privileges"], "keyctl")["keyctl"]);
    }

    [Fact]
    public void An_oci_profile_with_errno_on_mkdir_makes_mkdir_fail_and_nothing_else()
    {
        var profile = Path.Join(_dir, "no-mkdir.json");
        File.WriteAllText(profile, """
            {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
             "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
            """);
        var r = RunSkiff("run", "--rm", "--network", "none", "--security-opt", $"seccomp={profile}", "busybox", "sh", "-c",
            "touch /made-file && echo touched; mkdir /made-dir && echo made");
        Assert.Contains("touched", r.Stdout);
        Assert.DoesNotContain("made\n", r.Stdout.Replace("touched", ""));
        Assert.Contains("Permission denied", r.Stderr); // errnoRet 13, EACCES
        Assert.Equal(1, r.ExitCode);
    }

    [Fact]
    public void Exec_runs_under_the_containers_filter()
    {
        var name = UniqueName();
        RunDetached("--name", name, "--network", "none", "busybox", "sleep", "300");
        try
        {
            Assert.Equal("2", SeccompLine(Ok("exec", name, "grep", "Seccomp", "/proc/self/status")));
            var r = RunSkiff("exec", name, "unshare", "-U", "true");
            Assert.Contains("Operation not permitted", r.Stderr);
        }
        finally { RunSkiff("rm", "-f", name); }
    }

    [Fact]
    public void A_profile_the_kernel_cannot_take_is_refused_before_anything_is_created()
    {
        var profile = Path.Join(_dir, "notify.json");
        File.WriteAllText(profile, """{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}""");
        var name = UniqueName();
        var r = RunSkiff("run", "--name", name, "--network", "none", "--security-opt", $"seccomp={profile}", "busybox", "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Equal("skiff: seccomp profile: syscalls[0] (mkdir) uses SCMP_ACT_NOTIFY, which needs a seccomp agent; Skiff has none: use SCMP_ACT_ERRNO or SCMP_ACT_TRACE instead\n", r.Stderr);
        Assert.DoesNotContain(name, Ok("ps", "-a").Stdout);

        var missing = RunSkiff("run", "--rm", "--network", "none", "--security-opt", $"seccomp={_dir}/absent.json", "busybox", "true");
        Assert.Equal(125, missing.ExitCode);
        Assert.Equal($"skiff: cannot read the seccomp profile \"{_dir}/absent.json\" (no such file): give the path of a JSON profile, or seccomp=unconfined\n", missing.Stderr);
    }
}
