using System.Text.Json.Nodes;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>
/// skiff-runc driven the way containerd drives runc: one process per verb over a state root, a
/// bundle with a busybox rootfs and runc's own default config.json (from `skiff-runc spec`).
/// </summary>
public sealed class RuncCliTests : IDisposable
{
    private static readonly string Runc = Path.Join(Path.GetDirectoryName(Binary)!, "skiff-runc");
    private readonly string _root = Path.Join(StateRoot, "runc-" + UniqueName());
    private readonly string _bundle = Directory.CreateTempSubdirectory("skiff-bundle-").FullName;
    private readonly string _id = UniqueName();

    public RuncCliTests()
    {
        var rootfs = Path.Join(_bundle, "rootfs");
        var made = Sh($"mkdir -p {rootfs}/bin {rootfs}/tmp {rootfs}/etc && cp /bin/busybox {rootfs}/bin/ && for a in $(/bin/busybox --list | grep -vx busybox); do ln -s busybox {rootfs}/bin/$a; done");
        Assert.True(made.ExitCode == 0, made.ToString());
        Assert.Equal(0, RuncIn(_bundle, "spec").ExitCode);
    }

    public void Dispose()
    {
        RuncCli("delete", "--force", _id);
        Directory.Delete(_bundle, recursive: true);
    }

    [Fact]
    public void Create_waits_for_start_and_the_states_follow_the_lifecycle()
    {
        WriteSpec(["sh", "-c", "echo started > /started; exec sleep 60"]);
        var pidFile = Path.Join(_bundle, "pid");

        Detached($"create --bundle {_bundle} --pid-file {pidFile} {_id}");
        var created = State();
        Assert.Equal("created", created["status"]!.GetValue<string>());
        Assert.Equal(int.Parse(File.ReadAllText(pidFile)), created["pid"]!.GetValue<int>());
        Assert.Equal(_bundle, created["bundle"]!.GetValue<string>());
        Assert.False(File.Exists(Path.Join(_bundle, "rootfs", "started")), "the program ran before start");

        Assert.Equal(0, RuncCli("start", _id).ExitCode);
        WaitFor(() => File.Exists(Path.Join(_bundle, "rootfs", "started")));
        Assert.Equal("running", State()["status"]!.GetValue<string>());
        var second = RuncCli("start", _id);
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("only a created container can be started", second.Stderr);

        var refused = RuncCli("delete", _id);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--force", refused.Stderr);

        Assert.Equal(0, RuncCli("kill", _id, "KILL").ExitCode);
        WaitFor(() => State()["status"]!.GetValue<string>() == "stopped");
        Assert.Equal(0, RuncCli("delete", _id).ExitCode);
        var gone = RuncCli("state", _id);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains($"container {_id} does not exist", gone.Stderr);
    }

    [Fact]
    public void Exec_runs_in_the_containers_namespaces_and_returns_the_status()
    {
        WriteSpec(["sleep", "60"]);
        RunDetached();

        var hostname = RuncCli("exec", _id, "hostname");
        Assert.Equal("runc", hostname.Stdout.Trim());
        // PID 1 of the container's own pid namespace is its program, not the host's init.
        Assert.Equal("sleep", RuncCli("exec", _id, "sh", "-c", "cat /proc/1/comm").Stdout.Trim());
        Assert.Equal(7, RuncCli("exec", _id, "sh", "-c", "exit 7").ExitCode);
        Assert.Equal("x=1", RuncCli("exec", "--env", "x=1", _id, "sh", "-c", "echo x=$x").Stdout.Trim());

        var pids = JsonNode.Parse(RuncCli("ps", "--format", "json", _id).Stdout)!.AsArray();
        Assert.Contains(State()["pid"]!.GetValue<int>(), pids.Select(p => p!.GetValue<int>()));
    }

    [Fact]
    public void Pause_freezes_the_container_and_resume_lets_it_run()
    {
        WriteSpec(["sleep", "60"]);
        RunDetached();

        Assert.Equal(0, RuncCli("pause", _id).ExitCode);
        Assert.Equal("paused", State()["status"]!.GetValue<string>());
        var frozen = RuncCli("exec", _id, "true");
        Assert.Equal(1, frozen.ExitCode);
        Assert.Contains("paused", frozen.Stderr);

        Assert.Equal(0, RuncCli("resume", _id).ExitCode);
        Assert.Equal("running", State()["status"]!.GetValue<string>());
        Assert.Equal(0, RuncCli("exec", _id, "true").ExitCode);
    }

    [Fact]
    public void Run_in_the_foreground_exits_with_the_programs_status_and_leaves_nothing()
    {
        WriteSpec(["sh", "-c", "echo out; exit 3"]);
        var run = RuncCli("run", "--bundle", _bundle, _id);
        Assert.Equal(3, run.ExitCode);
        Assert.Equal("out", run.Stdout.Trim());
        Assert.Equal("", RuncCli("list", "-q").Stdout.Trim());
    }

    [Fact]
    public void The_seccomp_profile_of_config_json_is_enforced()
    {
        WriteSpec(["sh", "-c", "mkdir /made 2>&1; echo status=$?"], spec => spec["linux"]!["seccomp"] = RefusingProfile("mkdir", "mkdirat"));
        var run = RuncCli("run", "--bundle", _bundle, _id);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Operation not permitted", run.Stdout);
        Assert.Contains("status=1", run.Stdout);
        Assert.Equal("", RuncCli("list", "-q").Stdout.Trim());
    }

    [Fact]
    public void A_seccomp_profile_older_than_close_range_still_starts_the_container_with_no_descriptor_leaked()
    {
        // Loaded before init drops privileges (no noNewPrivileges), so init itself runs under it.
        WriteSpec(["ls", "/proc/self/fd"], spec =>
        {
            spec["process"]!["noNewPrivileges"] = false;
            spec["linux"]!["seccomp"] = RefusingProfile("close_range");
        });
        var run = RuncCli("run", "--bundle", _bundle, _id);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["0", "1", "2", "3"], run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // 3: ls's own listing
    }

    [Fact]
    public void Hooks_run_in_runcs_order_with_the_state_on_stdin()
    {
        var log = Path.Join(_bundle, "hooks.log");
        JsonObject Hook(string stage) => new()
        {
            ["path"] = "/bin/sh",
            ["args"] = new JsonArray("sh", "-c", $"read -r state; case \"$state\" in *'\"id\":\"{_id}\"'*) echo {stage} >> {log};; *) echo {stage}-without-state >> {log};; esac"),
        };
        WriteSpec(["true"], spec => spec["hooks"] = new JsonObject
        {
            ["prestart"] = new JsonArray(Hook("prestart")),
            ["createRuntime"] = new JsonArray(Hook("createRuntime")),
            ["poststart"] = new JsonArray(Hook("poststart")),
            ["poststop"] = new JsonArray(Hook("poststop")),
        });

        Detached($"create --bundle {_bundle} {_id}");
        Assert.Equal(0, RuncCli("start", _id).ExitCode);
        WaitFor(() => State()["status"]!.GetValue<string>() == "stopped");
        Assert.Equal(0, RuncCli("delete", _id).ExitCode);

        Assert.Equal(["prestart", "createRuntime", "poststart", "poststop"], File.ReadAllLines(log));
    }

    [Fact]
    public void Preserved_descriptors_reach_the_program_and_exec_and_a_closed_one_is_refused()
    {
        WriteSpec(["sh", "-c", "echo run-through-fd3 >&3; exec sleep 60"]);
        var runOut = Path.Join(_bundle, "run-fd3");
        var execOut = Path.Join(_bundle, "exec-fd3");

        var run = Sh($"exec 3>{runOut}; {Runc} --root {_root} run -d --preserve-fds 1 --bundle {_bundle} {_id} </dev/null >/dev/null 2>&1");
        Assert.True(run.ExitCode == 0, run.ToString());
        var exec = Sh($"exec 3>{execOut}; {Runc} --root {_root} exec --preserve-fds 1 {_id} sh -c 'echo exec-through-fd3 >&3'");
        Assert.True(exec.ExitCode == 0, exec.ToString());
        WaitFor(() => File.ReadAllText(runOut).Trim() == "run-through-fd3");
        Assert.Equal("exec-through-fd3", File.ReadAllText(execOut).Trim());

        // Only fd 3 is open in the caller: descriptor 4 would be one of the runtime's own.
        var refused = Sh($"exec 3>{execOut}; {Runc} --root {_root} exec --preserve-fds 2 {_id} true");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--preserve-fds 2 passes descriptors 3 to 4, but 4 is not open", refused.Stderr);
    }

    [Fact]
    public void A_spec_without_a_mount_namespace_is_refused_and_the_callers_root_stays_its_own()
    {
        WriteSpec(["true"], spec =>
        {
            var namespaces = spec["linux"]!["namespaces"]!.AsArray();
            namespaces.Remove(namespaces.First(n => n!["type"]!.GetValue<string>() == "mount"));
        });
        // In a mount namespace of its own: a runtime that pivots the caller's namespace must not take the test run's root with it.
        var run = Sh($"unshare --mount --propagation private sh -c '{Runc} --root {_root} run --bundle {_bundle} {_id}; echo exit=$?; test -e {Binary} && echo root-intact'");

        Assert.Contains("exit=1", run.Stdout);
        Assert.Contains("root-intact", run.Stdout);
        Assert.Contains("config.json has no mount namespace", run.Stderr);
    }

    /// <summary>Allows everything but <paramref name="syscalls"/>, which fail with EPERM.</summary>
    private static JsonObject RefusingProfile(params string[] syscalls) => new()
    {
        ["defaultAction"] = "SCMP_ACT_ALLOW",
        ["architectures"] = new JsonArray("SCMP_ARCH_X86_64"),
        ["syscalls"] = new JsonArray(new JsonObject
        {
            ["names"] = new JsonArray(syscalls.Select(s => (JsonNode)s).ToArray()), ["action"] = "SCMP_ACT_ERRNO", ["errnoRet"] = 1,
        }),
    };

    private JsonNode State()
    {
        var state = RuncCli("state", _id);
        Assert.True(state.ExitCode == 0, state.ToString());
        return JsonNode.Parse(state.Stdout)!;
    }

    private void WriteSpec(string[] args, Action<JsonNode>? change = null)
    {
        var file = Path.Join(_bundle, "config.json");
        var spec = JsonNode.Parse(File.ReadAllText(file))!;
        spec["process"]!["terminal"] = false;
        spec["process"]!["args"] = new JsonArray(args.Select(a => (JsonNode)a).ToArray());
        spec["root"]!["readonly"] = false;
        change?.Invoke(spec);
        File.WriteAllText(file, spec.ToJsonString());
    }

    private void RunDetached() => Detached($"run -d --bundle {_bundle} {_id}");

    /// <summary>create or run -d with the container's stdio on /dev/null: its program keeps what it inherits, and would hold our pipes open.</summary>
    private void Detached(string arguments)
    {
        var run = Sh($"{Runc} --root {_root} {arguments} </dev/null >/dev/null 2>/dev/null");
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    private RunResult RuncCli(params string[] args) => Run(Runc, ["--root", _root, .. args]);

    private static RunResult RuncIn(string dir, params string[] args) => Run("/bin/sh", ["-c", $"cd {dir} && {Runc} {string.Join(' ', args)}"]);

    private static void WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) Thread.Sleep(50);
        Assert.True(condition());
    }
}
