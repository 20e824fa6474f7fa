using System.Diagnostics;
using System.Text.Json;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>kill -9 of the CLI, a monitor, or everything: the next command tells the truth and cleans up.</summary>
[Collection("host state")]
public sealed class CrashTests
{
    private static JsonElement State(string name) =>
        JsonDocument.Parse(RunSkiff("inspect", name).Stdout).RootElement[0].GetProperty("State");

    private static List<int> Pids(string pattern) =>
        Sh($"ps -eo pid,args | grep -F -- '{pattern}' | grep -v grep | awk '{{print $1}}'").Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();

    /// <summary>A killed orphan stays a zombie until whoever adopted it reaps it; either way it no longer runs.</summary>
    private static bool GoneOrZombie(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) return true;
            }
            catch (IOException)
            {
                return true;
            }
            Thread.Sleep(50);
        }
        return false;
    }

    private static void WaitRunning(string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (RunSkiff("inspect", name) is var r && (r.ExitCode != 0 || State(name).GetProperty("Status").GetString() != "running"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{name} never ran");
            Thread.Sleep(100);
        }
    }

    /// <summary>
    /// run -d spawns the monitor before the container exists; when the run fails first (missing
    /// image, taken name) the monitor must see its stdin close and go, not wait forever.
    /// </summary>
    [Fact]
    public void A_detached_run_that_fails_before_its_container_exists_leaves_no_monitor_behind()
    {
        Assert.Equal(125, RunSkiff("run", "-d", "no-such-image-for-skiff").ExitCode);
        Assert.Equal(0, RunSkiff("create", "--name", "crash-taken", "busybox", "true").ExitCode);
        try
        {
            Assert.Equal(125, RunSkiff("run", "-d", "--name", "crash-taken", "busybox", "true").ExitCode);
        }
        finally
        {
            RunSkiff("rm", "crash-taken");
        }
        // Other tests' containers have monitors too: every monitor left must belong to a container.
        Eventually(() =>
        {
            var known = RunSkiff("ps", "-aq", "--no-trunc").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            return MonitorIds().All(known.Contains);
        }, "no monitor is left without a container");
    }

    private static IEnumerable<string> MonitorIds() =>
        Sh("ps -eo args | grep -oE 'skiff monitor [0-9a-f]{64}' | awk '{print $3}'").Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Killing_a_monitor_leaves_a_container_the_next_command_reports_exited_and_cleans_up()
    {
        var cgroupsBefore = SkiffCgroups();
        var id = RunSkiff("run", "-d", "--name", "crash-monitor", "busybox", "sleep", "1000").Stdout.Trim();
        var pid = State(id).GetProperty("Pid").GetInt32();
        var monitors = Pids($"monitor {id}");
        Assert.Single(monitors);
        Sh($"kill -9 {monitors[0]}");
        Thread.Sleep(200);

        Assert.Matches(@"Exited \(137\)", RunSkiff("ps", "-a", "--filter", "name=crash-monitor").Stdout);
        Assert.True(GoneOrZombie(pid), "the orphaned container's process is still running");
        Assert.Equal(cgroupsBefore, SkiffCgroups());
        Assert.Equal(0, RunSkiff("rm", "crash-monitor").ExitCode);
    }

    [Fact]
    public void Killing_the_cli_of_a_foreground_run_is_noticed_by_the_next_command()
    {
        var cgroupsBefore = SkiffCgroups();
        var psi = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var a in new[] { "run", "--name", "crash-cli", "busybox", "sleep", "1000" }) psi.ArgumentList.Add(a);
        using var cli = Process.Start(psi)!;
        WaitRunning("crash-cli");
        cli.Kill();
        cli.WaitForExit();

        Assert.Equal("exited", State("crash-cli").GetProperty("Status").GetString());
        Assert.Equal(cgroupsBefore, SkiffCgroups());
        Assert.Equal(0, RunSkiff("rm", "crash-cli").ExitCode);
    }

    [Fact]
    public void After_a_simulated_reboot_every_container_is_reported_exited()
    {
        var cgroupsBefore = SkiffCgroups();
        var names = Enumerable.Range(0, 3).Select(i => $"reboot-{i}").ToList();
        foreach (var n in names) Assert.Equal(0, RunSkiff("run", "-d", "--name", n, "busybox", "sleep", "1000").ExitCode);
        var pids = names.Select(n => State(n).GetProperty("Pid").GetInt32())
            .Concat(names.SelectMany(n => Pids($"monitor {JsonDocument.Parse(RunSkiff("inspect", n).Stdout).RootElement[0].GetProperty("Id").GetString()}")))
            .ToList();
        Sh($"kill -9 {string.Join(' ', pids)}");
        Thread.Sleep(300);

        var ps = RunSkiff("ps", "-a", "--format", "{{.Names}} {{.State}}").Stdout;
        foreach (var n in names) Assert.Contains($"{n} exited", ps);
        Assert.Equal(cgroupsBefore, SkiffCgroups());
        Assert.Equal(0, RunSkiff(["rm", .. names]).ExitCode);
    }

    [Fact]
    public void Killing_the_cli_at_any_point_of_run_leaves_nothing_half_done()
    {
        var cgroupsBefore = SkiffCgroups();
        var containersBefore = ContainerDirs();
        for (var delay = 0; delay <= 300; delay += 25)
        {
            var psi = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardOutput = true };
            foreach (var a in new[] { "run", "-d", "--name", $"kill-{delay}", "busybox", "sleep", "1000" }) psi.ArgumentList.Add(a);
            using var cli = Process.Start(psi)!;
            Thread.Sleep(delay);
            cli.Kill();
            cli.WaitForExit();
        }
        var ps = RunSkiff("ps", "-a", "--format", "{{.Names}}");
        Assert.Equal(0, ps.ExitCode);
        var left = ps.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(n => n.StartsWith("kill-")).ToList();
        if (left.Count > 0) Assert.Equal(0, RunSkiff(["rm", "-f", .. left]).ExitCode);
        Assert.Equal(cgroupsBefore, SkiffCgroups());
        Assert.Equal(containersBefore, ContainerDirs());
    }

    private const int KilledBySigkill = 137;

    private static bool Mounted(string id) => File.ReadAllText("/proc/self/mountinfo").Contains(id, StringComparison.Ordinal);

    /// <summary>
    /// rm is killed at each of its steps (SKIFF_CRASH_AT, see CrashPoint): afterwards the container
    /// is either still listed, in a state rm finishes, or gone with its files, monitor and cgroup.
    /// </summary>
    [Fact]
    public void Killing_rm_at_any_step_leaves_a_container_that_rm_finishes_or_nothing()
    {
        var cgroupsBefore = SkiffCgroups();
        var containersBefore = ContainerDirs();
        foreach (var step in new[] { "rm:killed", "rm:marked", "rm:files-deleted", "rm:record-deleted" })
        {
            var name = "crash-" + step.Replace(':', '-');
            var id = RunSkiff("run", "-d", "--name", name, "busybox", "sleep", "1000").Stdout.Trim();
            var killed = SkiffWithEnv("SKIFF_CRASH_AT", step, "rm", "-f", name);
            Assert.True(killed.ExitCode == KilledBySigkill, $"rm was not killed at {step}: {killed}");

            var ps = RunSkiff("ps", "-a", "--filter", $"name={name}", "--format", "{{.Names}}");
            Assert.Equal(0, ps.ExitCode);
            if (ps.Stdout.Contains(name))
            {
                if (Status(name) == "removing") Assert.Contains("marked for removal", RunSkiff("start", name).Stderr);
                var retry = RunSkiff("rm", "-f", name);
                Assert.True(retry.ExitCode == 0, $"rm after a kill at {step}: {retry}");
            }
            Assert.False(Directory.Exists(Path.Join(StateRoot, "containers", id)), $"files left after a kill at {step}");
            Assert.Empty(Pids($"monitor {id}"));
            Assert.False(Mounted(id), $"a mount of {id} is left after a kill at {step}");
        }
        Assert.Equal(cgroupsBefore, SkiffCgroups());
        Assert.Equal(containersBefore, ContainerDirs());
    }

    /// <summary>
    /// commit is killed at each of its steps: the image is either complete (it runs and shows the
    /// change) or not there at all; a container the commit paused says so until it is unpaused; and
    /// commit then succeeds.
    /// </summary>
    [Fact]
    public void Killing_commit_at_any_step_publishes_a_complete_image_or_none()
    {
        var cgroupsBefore = SkiffCgroups();
        const string name = "crash-commit";
        RunSkiff("run", "-d", "--name", name, "busybox", "sh", "-c", "echo changed > /marker; exec sleep 1000");
        try
        {
            Eventually(() => RunSkiff("exec", name, "cat", "/marker").Stdout == "changed\n", "the change is made");
            foreach (var (step, published) in new[]
            {
                ("commit:paused", false), ("commit:layer-written", false), ("commit:config-written", false),
                ("publish:manifest-written", false), ("commit:published", true),
            })
            {
                var image = "crash-commit:" + step.Replace(':', '-');
                var killed = SkiffWithEnv("SKIFF_CRASH_AT", step, "commit", name, image);
                Assert.True(killed.ExitCode == KilledBySigkill, $"commit was not killed at {step}: {killed}");

                Assert.Equal(published, RunSkiff("image", "inspect", image).ExitCode == 0);
                if (published) Assert.Equal("changed\n", RunSkiff("run", "--rm", image, "cat", "/marker").Stdout);
                if (step == "commit:paused")
                {
                    Assert.Equal("paused", Status(name));
                    Assert.Equal(0, RunSkiff("unpause", name).ExitCode);
                }
                Assert.Equal("running", Status(name));

                var retry = RunSkiff("commit", name, image);
                Assert.True(retry.ExitCode == 0, $"commit after a kill at {step}: {retry}");
                Assert.Equal("changed\n", RunSkiff("run", "--rm", image, "cat", "/marker").Stdout);
                Assert.Equal("running", Status(name));
                Assert.Equal(0, RunSkiff("rmi", image).ExitCode);
            }
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
        Assert.Equal(cgroupsBefore, SkiffCgroups());
    }
}
