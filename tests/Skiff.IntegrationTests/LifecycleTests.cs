using System.Diagnostics;
using System.Text.Json;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

public sealed class LifecycleTests
{
    [Fact]
    public void Detached_run_prints_the_id_returns_and_keeps_running_with_logs()
    {
        var name = UniqueName();
        var id = RunDetached("--name", name, "busybox", "sh", "-c", "echo out; echo err >&2; sleep 1000");
        try
        {
            Assert.Matches("^[0-9a-f]{64}$", id);
            Assert.Contains(name, RunSkiff("ps").Stdout);
            Eventually(() => RunSkiff("logs", name).Stdout == "out\n", "the log has the output");
            Assert.Equal("err\n", RunSkiff("logs", name).Stderr);
            var state = Inspect(id[..8]).GetProperty("State");
            Assert.Equal("running", state.GetProperty("Status").GetString());
            Assert.True(state.GetProperty("Pid").GetInt32() > 0);

            // The log is Docker's json-file format.
            var logPath = Inspect(name).GetProperty("LogPath").GetString()!;
            var first = JsonDocument.Parse(File.ReadLines(logPath).First()).RootElement;
            Assert.Equal("out\n", first.GetProperty("log").GetString());
            Assert.Equal("stdout", first.GetProperty("stream").GetString());
            Assert.True(first.TryGetProperty("time", out _));
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
        Assert.DoesNotContain(name, RunSkiff("ps", "-a").Stdout);
    }

    [Fact]
    public void Stop_sends_sigterm_then_sigkill_and_records_the_exit()
    {
        var trapping = UniqueName();
        var stubborn = UniqueName();
        RunDetached("--name", trapping, "busybox", "sh", "-c", "trap 'exit 3' TERM; while true; do sleep 0.1; done");
        RunDetached("--name", stubborn, "busybox", "sleep", "1000");
        try
        {
            Assert.Equal(0, RunSkiff("stop", trapping).ExitCode);
            Assert.Equal(3, Inspect(trapping).GetProperty("State").GetProperty("ExitCode").GetInt32());

            var clock = Stopwatch.StartNew();
            Assert.Equal(0, RunSkiff("stop", "-t", "1", stubborn).ExitCode);
            var state = Inspect(stubborn).GetProperty("State");
            Assert.Equal("exited", state.GetProperty("Status").GetString());
            Assert.Equal(137, state.GetProperty("ExitCode").GetInt32());
            var ps = RunSkiff("ps", "-a", "--filter", $"name={stubborn}");
            Assert.True(ps.ExitCode == 0, ps.ToString());
            Assert.Matches(@"Exited \(137\)", ps.Stdout);
        }
        finally
        {
            RunSkiff("rm", "-f", trapping, stubborn);
        }
    }

    [Fact]
    public void Wait_prints_the_exit_code_and_start_runs_a_stopped_container_again()
    {
        var name = UniqueName();
        Assert.Matches("^[0-9a-f]{64}\n$", RunSkiff("create", "--name", name, "busybox", "sh", "-c", "echo ran; exit 4").Stdout);
        try
        {
            Assert.Equal("created", Inspect(name).GetProperty("State").GetProperty("Status").GetString());
            Assert.Equal(0, RunSkiff("start", name).ExitCode);
            Assert.Equal("4\n", RunSkiff("wait", name).Stdout);
            Assert.Equal(4, RunSkiff("start", "-a", name).ExitCode);
            Assert.Equal("ran\nran\n", RunSkiff("logs", name).Stdout);
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
    }

    [Fact]
    public void Names_are_unique_and_validated_and_prefixes_find_containers()
    {
        var name = UniqueName();
        var id = RunDetached("--name", name, "busybox", "sleep", "1000");
        try
        {
            var clash = RunSkiff("run", "-d", "--name", name, "busybox", "true");
            Assert.Equal(125, clash.ExitCode);
            Assert.Contains("already in use", clash.Stderr);
            Assert.Equal(125, RunSkiff("run", "--name", "bad name!", "busybox", "true").ExitCode);
            Assert.Equal(0, RunSkiff("kill", "-s", "TERM", id[..10]).ExitCode); // sleep as PID 1 ignores TERM
            Assert.Equal("running", Inspect(id[..10]).GetProperty("State").GetProperty("Status").GetString());
            Assert.Equal(0, RunSkiff("kill", id[..10]).ExitCode);
            Assert.Equal("137\n", RunSkiff("wait", name).Stdout);
            var missing = RunSkiff("logs", "no-such-container");
            Assert.Equal(125, missing.ExitCode);
            Assert.Contains("no such container: no-such-container", missing.Stderr);
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
        var generated = RunSkiff("run", "-d", "busybox", "true").Stdout.Trim();
        try
        {
            Assert.Matches(@"^/[a-z]+_[a-z]+\d*$", Inspect(generated).GetProperty("Name").GetString());
        }
        finally
        {
            RunSkiff("rm", "-f", generated);
        }
    }

    [Fact]
    public void Restart_on_failure_retries_then_gives_up_and_stop_is_never_undone()
    {
        var failing = UniqueName();
        var always = UniqueName();
        RunDetached("--name", failing, "--restart", "on-failure:2", "busybox", "sh", "-c", "echo try; exit 1");
        RunDetached("--name", always, "--restart", "always", "busybox", "sleep", "1000");
        try
        {
            Eventually(() => Inspect(failing).GetProperty("RestartCount").GetInt32() == 2
                && Inspect(failing).GetProperty("State").GetProperty("Status").GetString() == "exited", "two restarts, then exited");
            Assert.Equal("try\ntry\ntry\n", RunSkiff("logs", failing).Stdout);

            Assert.Equal(0, RunSkiff("stop", "-t", "1", always).ExitCode);
            Thread.Sleep(1500);
            Assert.Equal("exited", Inspect(always).GetProperty("State").GetProperty("Status").GetString());
        }
        finally
        {
            RunSkiff("rm", "-f", failing, always);
        }
    }

    [Fact]
    public void Exec_joins_the_containers_namespaces_and_passes_the_exit_code()
    {
        var name = UniqueName();
        RunDetached("--name", name, "--hostname", "inside", "-e", "FROM_RUN=1", "busybox", "sleep", "1000");
        try
        {
            var r = RunSkiff("exec", "-e", "FROM_EXEC=2", name, "sh", "-c", "hostname; ps -o comm | grep -c sleep; echo $FROM_RUN$FROM_EXEC; readlink /proc/1/exe");
            Assert.Equal("inside\n1\n12\n/bin/busybox\n", r.Stdout);
            Assert.Equal(5, RunSkiff("exec", name, "sh", "-c", "exit 5").ExitCode);
            Assert.Equal(127, RunSkiff("exec", name, "no-such-cmd").ExitCode);
            Assert.Equal("1000\n", RunSkiff("exec", "-u", "1000", name, "id", "-u").Stdout);
            Assert.Equal("hi\n", SkiffWithInput("hi\n", "exec", "-i", name, "cat").Stdout);
            var caps = RunSkiff("exec", name, "grep", "CapEff", "/proc/self/status").Stdout;
            Assert.Equal("CapEff:\t00000000a80425fb\n", caps);

            RunSkiff("stop", "-t", "1", name);
            var stopped = RunSkiff("exec", name, "true");
            Assert.Equal(1, stopped.ExitCode);
            Assert.Contains("is not running", stopped.Stderr);
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
    }

    [Fact]
    public void Logs_tail_timestamps_and_rotation()
    {
        var name = UniqueName();
        RunDetached("--name", name, "--log-opt", "max-size=1k", "--log-opt", "max-file=2", "busybox", "sh", "-c",
            "i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done");
        try
        {
            Assert.Equal("0\n", RunSkiff("wait", name).Stdout);
            Assert.Equal("line-198\nline-199\n", RunSkiff("logs", "--tail", "2", name).Stdout);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line-199\n$", RunSkiff("logs", "-t", "-n", "1", name).Stdout);
            var logPath = Inspect(name).GetProperty("LogPath").GetString()!;
            Assert.True(File.Exists(logPath + ".1"));
            Assert.False(File.Exists(logPath + ".2"));
            Assert.InRange(new FileInfo(logPath).Length, 1, 1024);
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
    }

    [Fact]
    public async Task Twenty_concurrent_detached_runs_all_succeed_with_distinct_names_and_ids()
    {
        var ids = (await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => RunSkiff("run", "-d", "busybox", "sleep", "1000"))))).ToList();
        try
        {
            Assert.All(ids, r => Assert.True(r.ExitCode == 0, r.ToString()));
            Assert.Equal(20, ids.Select(r => r.Stdout.Trim()).Distinct().Count());
            var names = ids.Select(r => Inspect(r.Stdout.Trim()).GetProperty("Name").GetString()).ToList();
            Assert.Equal(20, names.Distinct().Count());
        }
        finally
        {
            RunSkiff(["rm", "-f", .. ids.Where(r => r.ExitCode == 0).Select(r => r.Stdout.Trim())]);
        }
    }
}
