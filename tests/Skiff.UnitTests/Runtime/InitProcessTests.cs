using Skiff.Linux;
using Skiff.Runtime.Spec;
using Skiff.Runtime.Start;

namespace Skiff.UnitTests.Runtime;

/// <summary>
/// The container's init, driven through a real channel (two pipes) with a recorder for the kernel:
/// what it does in which order, and what it tells the runtime. No root, nothing mounted.
/// </summary>
public sealed class InitProcessTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private RuntimeSpec Spec(ProcessSpec? process = null, LinuxSpec? linux = null, string? hostname = null) => new()
    {
        Process = process ?? Process(),
        Root = new RootSpec { Path = _scratch.Dir("rootfs") },
        Hostname = hostname,
        Linux = linux ?? new LinuxSpec { Namespaces = [new("pid"), new("network"), new("mount"), new("uts"), new("ipc")] },
    };

    private static ProcessSpec Process(UserSpec? user = null, CapabilitiesSpec? caps = null, bool noNewPrivileges = false, string cwd = "/") => new()
    {
        Args = ["/bin/sh", "-c", "true"],
        Env = ["PATH=/bin"],
        Cwd = cwd,
        User = user ?? new UserSpec(),
        Capabilities = caps ?? new CapabilitiesSpec(),
        NoNewPrivileges = noNewPrivileges,
    };

    private static CapabilitiesSpec Caps(List<string> all, List<string>? ambient = null, List<string>? inheritable = null) =>
        new() { Bounding = all, Effective = all, Permitted = all, Inheritable = inheritable ?? [], Ambient = ambient ?? [] };

    private sealed record Outcome(int ExitCode, List<string> Calls, List<InitReport> Reports);

    private Outcome RunInit(RuntimeSpec spec, RecordingSyscalls? sys = null)
    {
        sys ??= new RecordingSyscalls(_scratch.Path);
        var (specRead, specWrite) = FileDescriptors.Pipe();
        var (reportRead, reportWrite) = FileDescriptors.Pipe();
        using var runtime = new InitChannel.RuntimeEnd(specWrite, reportRead);
        int exitCode;
        using (var init = new InitChannel.InitEnd(specRead, reportWrite))
        {
            runtime.Send(new RuntimeMessage.Spec(InitSpecCodec.Encode(spec)));
            exitCode = new InitProcess(sys, init).Start(stdio: null);
        }
        var reports = new List<InitReport>();
        while (runtime.NextReport() is { } report) reports.Add(report);
        return new Outcome(exitCode, sys.Calls, reports);
    }

    /// <summary>The calls from the first with <paramref name="firstWord"/> on, to compare a tail of the sequence.</summary>
    private static List<string> From(List<string> calls, string firstWord) =>
        calls.SkipWhile(c => !c.StartsWith(firstWord + " ", StringComparison.Ordinal)).ToList();

    [Fact]
    public void Privileges_drop_as_runc_does_bounding_set_then_groups_gid_uid_then_exact_sets_then_no_new_privs()
    {
        var spec = Spec(Process(new UserSpec { Uid = 1000, Gid = 100, AdditionalGids = [5, 6] }, Caps(["CAP_KILL", "CAP_CHOWN"]), noNewPrivileges: true));

        var outcome = RunInit(spec);

        Assert.Equal(
        [
            "bounding keep CHOWN,KILL",
            "keepcaps on",
            "setgroups 5,6",
            "setresgid 100",
            "setresuid 1000",
            "capset e=CHOWN,KILL p=CHOWN,KILL i=-",
            "ambient -",
            "keepcaps off",
            "no_new_privs",
            "cloexec from 3",
            "exec /bin/sh /bin/sh -c true",
        ], From(outcome.Calls, "bounding"));
        Assert.Equal([new InitReport.Execing()], outcome.Reports);
    }

    [Fact]
    public void With_no_new_privileges_the_seccomp_filter_is_loaded_last_just_before_exec()
    {
        var linux = new LinuxSpec { Namespaces = [new("pid"), new("mount")], Seccomp = new SeccompSpec() };
        var outcome = RunInit(Spec(Process(noNewPrivileges: true), linux));

        Assert.Equal(["no_new_privs", "cloexec", "seccomp", "exec"], outcome.Calls.Skip(outcome.Calls.IndexOf("no_new_privs")).Select(c => c.Split(' ')[0]));
        Assert.Single(outcome.Calls, c => c.StartsWith("seccomp", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_no_new_privileges_the_seccomp_filter_is_loaded_while_init_still_holds_CAP_SYS_ADMIN()
    {
        var linux = new LinuxSpec { Namespaces = [new("pid"), new("mount")], Seccomp = new SeccompSpec() };
        var calls = RunInit(Spec(Process(), linux)).Calls.Select(c => c.Split(' ')[0]).ToList();

        Assert.True(calls.IndexOf("seccomp") < calls.IndexOf("bounding"), string.Join("\n", calls));
        Assert.DoesNotContain("no_new_privs", calls);
    }

    [Fact]
    public void Capabilities_the_host_withholds_from_the_runtime_are_never_asked_for()
    {
        var sysAdmin = 1UL << Capabilities.Number("CAP_SYS_ADMIN");
        var sys = new RecordingSyscalls(_scratch.Path) { Bounding = ulong.MaxValue & ~sysAdmin };

        var calls = RunInit(Spec(Process(caps: Caps(["CAP_KILL", "CAP_SYS_ADMIN"]))), sys).Calls;

        Assert.Contains("bounding keep KILL", calls);
        Assert.Contains("capset e=KILL p=KILL i=-", calls);
    }

    [Fact]
    public void An_ambient_capability_is_raised_only_when_it_is_also_permitted_and_inheritable()
    {
        var caps = Caps(["CAP_KILL", "CAP_CHOWN"], ambient: ["CAP_KILL", "CAP_CHOWN", "CAP_NET_RAW"], inheritable: ["CAP_KILL"]);

        var calls = RunInit(Spec(Process(caps: caps))).Calls;

        Assert.Contains("ambient KILL", calls);
    }

    [Fact]
    public void A_new_container_enters_its_cgroup_namespace_first_and_names_itself_and_brings_up_lo_after_pivoting()
    {
        var linux = new LinuxSpec
        {
            Namespaces = [new("pid"), new("network"), new("mount"), new("uts"), new("cgroup")],
            Sysctl = new Dictionary<string, string> { ["net.ipv4.ping_group_range"] = "0 0" },
        };

        var calls = RunInit(Spec(linux: linux, hostname: "box")).Calls;

        Assert.Equal("unshare Cgroup", calls[0]);
        var pivot = calls.FindIndex(c => c.StartsWith("pivot_root", StringComparison.Ordinal));
        Assert.True(pivot > 0, string.Join("\n", calls));
        Assert.Equal(["sysctl net.ipv4.ping_group_range=0 0", "sethostname box", "link up lo", "mkdir /", "chdir /"],
            calls.Skip(pivot + 3).Take(5));
    }

    [Fact]
    public void Exec_into_a_running_container_joins_its_mount_namespace_and_builds_nothing()
    {
        var linux = new LinuxSpec { Namespaces = [new("pid", "/proc/42/ns/pid"), new("mount", "/proc/42/ns/mnt"), new("network", "/proc/42/ns/net")] };

        var outcome = RunInit(Spec(linux: linux, hostname: "box"));

        Assert.Equal(["unshare fs", "setns /proc/42/ns/mnt Mount", "chdir /", "mkdir /", "chdir /"], outcome.Calls.Take(5));
        Assert.DoesNotContain(outcome.Calls, c => c.StartsWith("mount", StringComparison.Ordinal) || c.StartsWith("pivot_root", StringComparison.Ordinal)
            || c.StartsWith("sethostname", StringComparison.Ordinal) || c.StartsWith("link up", StringComparison.Ordinal) || c.StartsWith("unshare Cgroup", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_exec_reaches_the_runtime_as_one_report_with_dockers_exit_code()
    {
        var sys = new RecordingSyscalls(_scratch.Path) { ExecErrno = Errno.ENOENT };

        var outcome = RunInit(Spec(), sys);

        Assert.Equal(127, outcome.ExitCode);
        Assert.Equal([new InitReport.Execing(), new InitReport.Failed(127, "exec: \"/bin/sh\": no such file or directory")], outcome.Reports);
    }

    [Fact]
    public void A_working_directory_outside_the_root_is_refused_before_any_privilege_changes()
    {
        // As a directory entered through a descriptor init still holds (CVE-2024-21626's -w /proc/self/fd/N).
        var sys = new RecordingSyscalls(_scratch.Path) { InsideRoot = false };

        var outcome = RunInit(Spec(), sys);

        Assert.Equal(125, outcome.ExitCode);
        var failed = Assert.IsType<InitReport.Failed>(Assert.Single(outcome.Reports));
        Assert.Contains("leads outside the container", failed.Message);
        Assert.DoesNotContain(outcome.Calls, c => c.StartsWith("bounding", StringComparison.Ordinal) || c.StartsWith("exec", StringComparison.Ordinal));
    }

    [Fact]
    public void A_detached_exec_reports_execing_but_execs_only_once_the_runtime_has_closed_its_end()
    {
        // The runtime's process would reap a program that exited before it: its caller (a shim) would never see the exit.
        var sys = new RecordingSyscalls(_scratch.Path);
        var (specRead, specWrite) = FileDescriptors.Pipe();
        var (reportRead, reportWrite) = FileDescriptors.Pipe();
        var runtime = new InitChannel.RuntimeEnd(specWrite, reportRead);
        using var init = new InitChannel.InitEnd(specRead, reportWrite);
        runtime.Send(new RuntimeMessage.Spec(InitSpecCodec.Encode(new InitInstructions(Spec()) { ExecAfterRuntimeExits = true })));
        var running = new Thread(() => new InitProcess(sys, init).Start(stdio: null));
        running.Start();

        Assert.IsType<InitReport.Execing>(runtime.NextReport());
        Assert.False(running.Join(TimeSpan.FromMilliseconds(500)), "init went on to exec while the runtime was still there");
        Assert.DoesNotContain(sys.Calls, c => c.StartsWith("exec", StringComparison.Ordinal));

        runtime.Dispose();
        running.Join();
        Assert.Equal("exec /bin/sh /bin/sh -c true", sys.Calls[^1]);
    }
}
