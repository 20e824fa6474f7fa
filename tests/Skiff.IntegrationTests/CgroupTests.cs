using System.Diagnostics;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

public sealed class CgroupTests
{
    private static readonly bool V2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");

    /// <summary>The directory of the one container under a test's own cgroup parent, for a controller.</summary>
    private static string ContainerDir(string parent, string controller)
    {
        var hierarchy = V2 ? "/sys/fs/cgroup" : $"/sys/fs/cgroup/{controller}";
        return Directory.GetDirectories(Path.Join(hierarchy, parent)).Single();
    }

    /// <summary>Starts a container that says "ready" and runs until told to stop (SIGTERM to skiff, forwarded).</summary>
    private static Process StartWaiting(params string[] flags)
    {
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])["run", "--rm", .. flags, "busybox", "sh", "-c", "trap 'exit 0' TERM; echo ready; while true; do sleep 0.1; done"])
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        return p;
    }

    private static void Stop(Process p)
    {
        Sh($"kill -TERM {p.Id}");
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void Limits_are_written_to_the_containers_cgroup_and_it_is_removed_after_exit()
    {
        var parent = UniqueCgroupParent();
        using var p = StartWaiting("--cgroup-parent", parent, "-m", "64m", "--cpus", "0.5", "--cpu-shares", "512", "--pids-limit", "50");
        try
        {
            if (V2)
            {
                var dir = ContainerDir(parent, "");
                Assert.Equal("67108864", File.ReadAllText(Path.Join(dir, "memory.max")).Trim());
                Assert.Equal("50000 100000", File.ReadAllText(Path.Join(dir, "cpu.max")).Trim());
                Assert.Equal("20", File.ReadAllText(Path.Join(dir, "cpu.weight")).Trim());
                Assert.Equal("50", File.ReadAllText(Path.Join(dir, "pids.max")).Trim());
            }
            else
            {
                Assert.Equal("67108864", File.ReadAllText(Path.Join(ContainerDir(parent, "memory"), "memory.limit_in_bytes")).Trim());
                Assert.Equal("50000", File.ReadAllText(Path.Join(ContainerDir(parent, "cpu"), "cpu.cfs_quota_us")).Trim());
                Assert.Equal("100000", File.ReadAllText(Path.Join(ContainerDir(parent, "cpu"), "cpu.cfs_period_us")).Trim());
                Assert.Equal("512", File.ReadAllText(Path.Join(ContainerDir(parent, "cpu"), "cpu.shares")).Trim());
                Assert.Equal("50", File.ReadAllText(Path.Join(ContainerDir(parent, "pids"), "pids.max")).Trim());
            }
        }
        finally
        {
            Stop(p);
        }
        Assert.DoesNotContain(SkiffCgroups(), d => d.Contains(parent));
    }

    [Fact]
    public void Program_inside_sees_its_cgroup_as_the_root()
    {
        var r = RunSkiff("run", "--rm", "busybox", "cat", "/proc/self/cgroup");
        Assert.Equal(0, r.ExitCode);
        Assert.All(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.EndsWith(":/", line));
    }

    [Fact]
    public void Memory_limit_kills_a_process_that_allocates_past_it_and_reports_137()
    {
        var r = RunSkiff("run", "--rm", "-m", "32m", "busybox", "sh", "-c", "x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done");
        Assert.Equal(137, r.ExitCode);
        Assert.Contains("out of memory", r.Stderr);
    }

    [Fact]
    public void Fork_bomb_stops_at_the_pids_limit()
    {
        var parent = UniqueCgroupParent();
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "run", "--rm", "--cgroup-parent", parent, "--pids-limit", "30", "busybox", "sh", "-c",
                     "bomb() { bomb | bomb & }; echo ready; bomb 2>/dev/null; sleep 3" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        var pidsDir = V2 ? ContainerDir(parent, "") : ContainerDir(parent, "pids");
        var peak = 0;
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (DateTime.UtcNow < deadline)
        {
            try { peak = Math.Max(peak, int.Parse(File.ReadAllText(Path.Join(pidsDir, "pids.current")))); }
            catch (IOException) { break; }
            Thread.Sleep(50);
        }
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(30)), "the container did not end after the fork bomb");
        Assert.InRange(peak, 2, 30);
        Assert.Equal(0, Sh("true").ExitCode); // the host can still fork
        Assert.DoesNotContain(SkiffCgroups(), d => d.Contains(parent));
    }

    [Fact]
    public void Cpuset_cpus_shows_in_cpus_allowed_list()
    {
        var r = RunSkiff("run", "--rm", "--cpuset-cpus", "0", "busybox", "grep", "Cpus_allowed_list", "/proc/self/status");
        Assert.Equal("Cpus_allowed_list:\t0\n", r.Stdout);
    }
}
