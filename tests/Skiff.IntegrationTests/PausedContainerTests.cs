using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>What each verb does to a paused (frozen) container, as Docker does it.</summary>
[Collection("host state")]
public sealed class PausedContainerTests
{
    // PID 1 ignores an untrapped TERM: the trap makes the signal's arrival visible as exit code 3.
    private static string PausedContainer()
    {
        var name = UniqueName();
        RunDetached("--name", name, "busybox", "sh", "-c", "trap 'exit 3' TERM; while true; do sleep 0.1; done");
        Assert.Equal(0, RunSkiff("pause", name).ExitCode);
        Assert.Equal("paused", Status(name));
        return name;
    }

    [Fact]
    public void Exec_and_attach_are_refused_as_docker_refuses_them()
    {
        var name = PausedContainer();
        try
        {
            var id = Inspect(name).GetProperty("Id").GetString();
            var exec = RunSkiff("exec", name, "true");
            Assert.Equal(1, exec.ExitCode);
            Assert.Contains($"Container {id} is paused, unpause the container before exec", exec.Stderr);
            var attach = RunSkiff("attach", name);
            Assert.Equal(1, attach.ExitCode);
            Assert.Contains("You cannot attach to a paused container, unpause it first", attach.Stderr);
            Assert.Equal("paused", Status(name));
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
    }

    [Fact]
    public void Kill_with_a_catchable_signal_waits_for_unpause_and_sigkill_ends_it_at_once()
    {
        var pending = PausedContainer();
        var killed = PausedContainer();
        try
        {
            Assert.Equal(0, RunSkiff("kill", "-s", "TERM", pending).ExitCode);
            Assert.Equal("paused", Status(pending));
            Assert.Equal(0, RunSkiff("unpause", pending).ExitCode);
            Assert.Equal("3\n", RunSkiff("wait", pending).Stdout);

            Assert.Equal(0, RunSkiff("kill", killed).ExitCode);
            Assert.Equal("137\n", RunSkiff("wait", killed).Stdout);
        }
        finally
        {
            RunSkiff("rm", "-f", pending, killed);
        }
    }

    [Fact]
    public void Stop_and_rm_f_end_a_paused_container_and_leave_no_cgroup()
    {
        var cgroupsBefore = SkiffCgroups();
        var stopped = PausedContainer();
        var removed = PausedContainer();
        try
        {
            // stop thaws first, so the program gets its TERM and a chance to end cleanly.
            Assert.Equal(0, RunSkiff("stop", stopped).ExitCode);
            var state = Inspect(stopped).GetProperty("State");
            Assert.Equal("exited", state.GetProperty("Status").GetString());
            Assert.Equal(3, state.GetProperty("ExitCode").GetInt32());
            Assert.False(state.GetProperty("Paused").GetBoolean());

            Assert.Equal(0, RunSkiff("rm", "-f", removed).ExitCode);
            Assert.Contains("no such container", RunSkiff("inspect", removed).Stderr);
        }
        finally
        {
            RunSkiff("rm", "-f", stopped, removed);
        }
        Assert.Equal(cgroupsBefore, SkiffCgroups());
    }
}
