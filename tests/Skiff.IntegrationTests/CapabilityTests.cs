using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>The values are what `docker run busybox grep Cap /proc/self/status` prints for the same flags.</summary>
public sealed class CapabilityTests
{
    private static Dictionary<string, string> Caps(params string[] flags)
    {
        var r = RunSkiff(["run", "--rm", .. flags, "busybox", "grep", "^Cap", "/proc/self/status"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => p[1].Trim());
    }

    [Fact]
    public void Root_gets_dockers_default_set()
    {
        var caps = Caps();
        Assert.Equal("0000000000000000", caps["CapInh"]);
        Assert.Equal("00000000a80425fb", caps["CapPrm"]);
        Assert.Equal("00000000a80425fb", caps["CapEff"]);
        Assert.Equal("00000000a80425fb", caps["CapBnd"]);
        Assert.Equal("0000000000000000", caps["CapAmb"]);
    }

    [Fact]
    public void Another_user_keeps_only_the_bounding_set()
    {
        var caps = Caps("-u", "1000");
        Assert.Equal("0000000000000000", caps["CapPrm"]);
        Assert.Equal("0000000000000000", caps["CapEff"]);
        Assert.Equal("00000000a80425fb", caps["CapBnd"]);
    }

    [Fact]
    public void Cap_add_and_cap_drop_change_the_set()
    {
        var caps = Caps("--cap-add", "NET_ADMIN", "--cap-drop", "chown");
        // +NET_ADMIN (bit 12), -CHOWN (bit 0)
        Assert.Equal("00000000a80435fa", caps["CapEff"]);
        Assert.Equal("00000000a80435fa", caps["CapBnd"]);

        var only = Caps("--cap-drop", "ALL", "--cap-add", "CAP_KILL");
        Assert.Equal("0000000000000020", only["CapEff"]);
    }

    [Fact]
    public void Privileged_gets_every_capability_this_host_can_give()
    {
        var host = File.ReadLines("/proc/self/status").First(l => l.StartsWith("CapBnd:"))[7..].Trim();
        Assert.Equal(host, Caps("--privileged")["CapEff"]);
    }

    [Fact]
    public void Dropped_capability_is_really_gone()
    {
        var r = RunSkiff("run", "--rm", "--cap-drop", "CHOWN", "busybox", "sh", "-c", "touch /f && chown 1000 /f");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Operation not permitted", r.Stderr);
        Assert.Equal(0, RunSkiff("run", "--rm", "busybox", "sh", "-c", "touch /f && chown 1000 /f").ExitCode);
    }

    [Fact]
    public void No_new_privileges_is_set_when_asked()
    {
        Assert.Equal("NoNewPrivs:\t1\n", RunSkiff("run", "--rm", "--security-opt", "no-new-privileges", "busybox", "grep", "NoNewPrivs", "/proc/self/status").Stdout);
        Assert.Equal("NoNewPrivs:\t0\n", RunSkiff("run", "--rm", "busybox", "grep", "NoNewPrivs", "/proc/self/status").Stdout);
    }
}
