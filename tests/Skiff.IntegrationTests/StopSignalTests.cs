using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>stop sends the container's own stop signal: --stop-signal, or the image's STOPSIGNAL.</summary>
public sealed class StopSignalTests
{
    // As PID 1 the shell has no default action for any signal: only the trapped one ends it (exit 3).
    private static readonly string[] TrapUsr1 = ["sh", "-c", "trap 'exit 3' USR1; while true; do sleep 0.1; done"];

    [Fact]
    public void Stop_sends_the_stop_signal_given_at_run()
    {
        var name = UniqueName();
        RunDetached(["--name", name, "--stop-signal", "SIGUSR1", "--stop-timeout", "30", "busybox", .. TrapUsr1]);
        try
        {
            var config = Inspect(name).GetProperty("Config");
            Assert.Equal("SIGUSR1", config.GetProperty("StopSignal").GetString());
            Assert.Equal(30, config.GetProperty("StopTimeout").GetInt32());
            Assert.Equal(0, RunSkiff("stop", name).ExitCode);
            Assert.Equal(3, Inspect(name).GetProperty("State").GetProperty("ExitCode").GetInt32());
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
    }

    [Fact]
    public void Stop_sends_the_images_stopsignal()
    {
        var source = UniqueName();
        var image = $"stopsignal-{UniqueName()}";
        Assert.Equal(0, RunSkiff("run", "--name", source, "busybox", "true").ExitCode);
        var name = UniqueName();
        try
        {
            Assert.Equal(0, RunSkiff("commit", "--change", "STOPSIGNAL USR1", source, image).ExitCode);
            RunDetached(["--name", name, image, .. TrapUsr1]);
            Assert.Equal("USR1", Inspect(name).GetProperty("Config").GetProperty("StopSignal").GetString());
            Assert.Equal(0, RunSkiff("stop", "-t", "30", name).ExitCode);
            Assert.Equal(3, Inspect(name).GetProperty("State").GetProperty("ExitCode").GetInt32());
        }
        finally
        {
            RunSkiff("rm", "-f", name, source);
            RunSkiff("rmi", image);
        }
    }

    [Fact]
    public void A_stop_signal_that_does_not_exist_is_refused_before_anything_is_made()
    {
        var name = UniqueName();
        var r = RunSkiff("run", "-d", "--name", name, "--stop-signal", "SIGNOPE", "busybox", "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Equal("skiff: invalid signal: SIGNOPE\n", r.Stderr);
        Assert.NotEqual(0, RunSkiff("inspect", name).ExitCode);
    }
}
