using System.Text;
using Skiff.Linux;
using Skiff.Runtime.Hooks;
using Skiff.Runtime.Process;
using Skiff.Runtime.Rootfs;
using Skiff.Runtime.Seccomp;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Start;

/// <summary>
/// The container's first process (<c>skiff init</c>), already inside the new namespaces as PID 1.
/// It waits until the runtime has put it in its cgroup, builds the filesystem, sets up the console,
/// drops to the container's user and capabilities, and execs the user's program. Everything it
/// needs after pivot_root must already be loaded, because the host's files are gone by then.
/// </summary>
public sealed class InitProcess
{
    private readonly ISyscalls _sys;
    private readonly InitChannel.InitEnd _channel;

    internal InitProcess(ISyscalls sys, InitChannel.InitEnd channel)
    {
        _sys = sys;
        _channel = channel;
    }

    public static int Run()
    {
        var value = Environment.GetEnvironmentVariable(InitChannel.EnvironmentVariable);
        if (value is null)
        {
            Console.Error.WriteLine("skiff init: not started by the skiff runtime");
            return 125;
        }
        // Before anything else: from here on container processes can see this one (an exec'd init
        // joins the container's PID namespace), and it still runs the host's skiff binary.
        ProcessControl.MakeUndumpable();
        var handles = InitChannel.Handles.Decode(value);
        // Neither pipe may reach the user's program: the status pipe's end of file is the "exec succeeded" signal.
        FileDescriptors.SetInheritable(handles.Status, false);
        FileDescriptors.SetInheritable(handles.Sync, false);
        using var channel = new InitChannel.InitEnd(new OwnedFd(handles.Sync), new OwnedFd(handles.Status));
        return new InitProcess(LinuxSyscalls.Instance, channel).Start(handles.Stdio, handles.PreservedFds);
    }

    /// <summary>False once init waits on its start fifo: the runtime no longer listens, failures go to stderr.</summary>
    private bool _runtimeListens = true;

    /// <summary>Builds the container and execs its program; returns only the exit code of a failure.</summary>
    /// <param name="preservedFds">descriptors from 3 up that the program receives as they are (runc's --preserve-fds).</param>
    internal int Start(int[]? stdio, int preservedFds = 0)
    {
        try
        {
            StartTimeline.Mark("init started");
            var lastCap = _sys.LastCapability();
            var grantable = _sys.BoundingSet();
            // The runtime may spawn init before it has the spec (so that init's start overlaps its
            // own work); the spec arrives once init is in the container's cgroup.
            var instructions = InitSpecCodec.Decode(_channel.WaitForSpec());
            var spec = instructions.Spec;
            var seccomp = instructions.Seccomp;
            StartTimeline.Mark("init has its spec");
            var newNetwork = spec.Linux.Namespaces.Any(n => n.Type == "network" && n.Path is null);

            // The cgroup namespace is entered only now, so that its root is the container's own cgroup.
            if (spec.Linux.Namespaces.Any(n => n.Type == "cgroup" && n.Path is null))
                _sys.Unshare(NamespaceKind.Cgroup);

            var joinedMounts = spec.Linux.Namespaces.FirstOrDefault(n => n.Type == "mount" && n.Path is not null);
            var builder = new RootfsBuilder(_sys);
            // Opened while the host's paths are still visible; reopened for writing through /proc once pivoted.
            using var startFifo = instructions.StartFifo is { } fifoPath ? new OwnedFd(FileDescriptors.Open(fifoPath, FileDescriptors.OPath)) : null;
            if (joinedMounts is not null)
                EnterMountNamespace(joinedMounts.Path!);
            else
                builder.MountAndPivot(spec, () => HookRunner.Run("createContainer", spec.Hooks?.CreateContainer, instructions.HookState ?? ""));
            if (stdio is not null)
                RedirectStdio(stdio);
            if (spec.Process.Terminal) SetUpConsole(spec.Process.ConsoleSize, ownsConsole: joinedMounts is null);
            if (joinedMounts is null)
            {
                foreach (var (key, setting) in spec.Linux.Sysctl ?? new Dictionary<string, string>())
                    _sys.WriteSysctl(key, setting);
                builder.Finish(spec);
                if (spec.Hostname is { Length: > 0 } hostname) _sys.SetHostname(hostname);
                if (newNetwork) _sys.BringUpInterface("lo");
            }

            var user = ResolveUser(spec.Process.User);
            var env = WithHome(spec.Process.Env, user.Home);
            EnterWorkingDirectory(spec.Process.Cwd);
            foreach (var limit in spec.Process.Rlimits ?? [])
                _sys.SetRlimit(limit.Type, limit.Soft, limit.Hard);
            if (spec.Process.User.Umask is { } umask) _sys.SetUmask(umask);
            // As runc: without no_new_privs, loading a filter takes CAP_SYS_ADMIN, which init holds only
            // until it drops privileges; with it, the filter waits until just before execve, so that a
            // profile need allow little more than the program itself.
            if (seccomp is not null && !spec.Process.NoNewPrivileges) _sys.LoadSeccomp(seccomp.Instructions, seccomp.Flags);
            DropPrivileges(spec.Process, user, lastCap, grantable);
            var program = ExecutableLookup.Find(spec.Process.Args.FirstOrDefault() ?? "", env);

            StartTimeline.Mark("init about to exec");
            _sys.MarkAllCloseOnExec(first: 3 + preservedFds);
            if (startFifo is not null)
            {
                _channel.Report(new InitReport.Created());
                _runtimeListens = false;
                WaitForStart(startFifo);
                HookRunner.Run("startContainer", spec.Hooks?.StartContainer, instructions.HookState ?? "");
            }
            else
            {
                _channel.Report(new InitReport.Execing());
                if (instructions.ExecAfterRuntimeExits) _channel.WaitForRuntimeExit();
            }
            if (seccomp is not null && spec.Process.NoNewPrivileges) _sys.LoadSeccomp(seccomp.Instructions, seccomp.Flags);
            CrashPoint.Reached("init:exec");
            try
            {
                _sys.Exec(program, spec.Process.Args, env);
            }
            catch (SyscallException e)
            {
                throw new ExecutableLookup.LookupException(ExecutableLookup.ExitCodeFor(e.Errno),
                    $"exec: \"{spec.Process.Args[0]}\": {e.Message[(e.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..].ToLowerInvariant()}");
            }
            return 125; // not reached: Exec returns only by throwing
        }
        catch (ExecutableLookup.LookupException e)
        {
            return Fail(e.ExitCode, e.Message);
        }
        catch (Exception e)
        {
            return Fail(125, e.Message);
        }
    }

    private int Fail(int code, string message)
    {
        if (_runtimeListens) _channel.Report(new InitReport.Failed(code, message.ReplaceLineEndings(" ")));
        else Console.Error.WriteLine($"skiff init: {message}");
        return code;
    }

    /// <summary>
    /// Blocks until <c>start</c> opens the fifo's other end (runc's exec.fifo): opening a fifo for
    /// writing waits for a reader. The byte written tells <c>start</c> the program is about to run.
    /// </summary>
    private static void WaitForStart(OwnedFd fifoPath)
    {
        using (var fifo = new OwnedFd(FileDescriptors.Open($"/proc/self/fd/{fifoPath.Value}", FileDescriptors.OWronly)))
            FileDescriptors.WriteAll(fifo.Value, "0"u8);
        // The host's path is not the program's business.
        fifoPath.Dispose();
    }

    /// <summary>
    /// The pty comes from the container's own devpts, so that programs inside see /dev/pts/N as their
    /// terminal. The runtime copies the master out of this process (pidfd_getfd) before we go on.
    /// Only the container's first process binds its pty on /dev/console, as runc does: an exec joins
    /// a mount namespace that has its console already, and a bind over it would outlive the exec's pty
    /// (the next exec's mount then fails on the stale node).
    /// </summary>
    private void SetUpConsole(ConsoleSize? size, bool ownsConsole)
    {
        var (masterFd, slaveFd, slavePath) = Pty.Open("/dev/ptmx");
        using var slave = new OwnedFd(slaveFd);
        using (var master = new OwnedFd(masterFd))
        {
            // The size must be right before the program's first look at it, not after a relay catches up.
            if (size is { } s) Pty.SetSize(master.Value, new WindowSize((ushort)s.Height, (ushort)s.Width));
            if (ownsConsole)
            {
                _sys.Touch("/dev/console");
                _sys.Mount(slavePath, "/dev/console", null, MountFlags.Bind, null);
            }
            _channel.Report(new InitReport.ConsoleReady(master.Value));
            _channel.WaitForConsoleTaken();
        }
        Pty.BecomeControllingTerminal(slave.Value);
        for (var i = 0; i < 3; i++) FileDescriptors.Dup2(slave.Value, i);
    }

    /// <summary>
    /// exec into a running container: its filesystem is already built, so init only moves into its
    /// mount namespace (which needs a thread-private fs first; .NET's threads share one) and to its root.
    /// </summary>
    private void EnterMountNamespace(string path)
    {
        _sys.UnshareFs();
        _sys.JoinNamespace(path, NamespaceKind.Mount);
        _sys.Chdir("/");
    }

    private static void RedirectStdio(int[] stdio)
    {
        for (var i = 0; i < 3; i++) FileDescriptors.Dup2(stdio[i], i);
        foreach (var fd in stdio.Where(fd => fd > 2).Distinct()) FileDescriptors.Close(fd);
    }

    private static ContainerUser ResolveUser(UserSpec user)
    {
        if (user.Username is not { Length: > 0 } name)
            return new ContainerUser(user.Uid, user.Gid, user.AdditionalGids ?? [], HomeOf(user.Uid));
        return ContainerUser.Resolve(name, ReadOrEmpty("/etc/passwd"), ReadOrEmpty("/etc/group"));
    }

    private static string HomeOf(uint uid) =>
        ContainerUser.Resolve(uid.ToString(), ReadOrEmpty("/etc/passwd"), "").Home;

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    private static List<string> WithHome(List<string> env, string home) =>
        env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)) ? env : [.. env, "HOME=" + home];

    /// <summary>
    /// Docker creates a missing working directory rather than failing. The directory must be inside
    /// the container: one reached through a descriptor init still holds (CVE-2024-21626's
    /// <c>-w /proc/self/fd/N</c>) lies outside its root, which the kernel reports as unreachable.
    /// </summary>
    private void EnterWorkingDirectory(string cwd)
    {
        try
        {
            _sys.MkdirAll(cwd);
            _sys.Chdir(cwd);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SyscallException)
        {
            throw new InvalidOperationException($"the working directory \"{cwd}\" is not a directory the container can have: give a directory path inside the container with -w");
        }
        if (!_sys.WorkingDirectoryInsideRoot())
            throw new InvalidOperationException($"the working directory \"{cwd}\" leads outside the container: give a directory path inside the container with -w");
    }

    /// <summary>
    /// The order runc uses: bounding set while still root, keep-caps across setuid, groups before
    /// the gid and the gid before the uid (after setuid we may no longer change them), then the exact sets.
    /// </summary>
    private void DropPrivileges(ProcessSpec process, ContainerUser user, int lastCap, ulong grantable)
    {
        var caps = process.Capabilities ?? new CapabilitiesSpec();
        ulong Mask(List<string> names) => Capabilities.Mask(names) & grantable;
        _sys.DropBoundingExcept(Mask(caps.Bounding), lastCap);
        _sys.SetKeepCapabilities(true);
        _sys.SetGroups(user.AdditionalGids);
        _sys.SetResGid(user.Gid);
        _sys.SetResUid(user.Uid);
        _sys.SetCapabilities(Mask(caps.Effective), Mask(caps.Permitted), Mask(caps.Inheritable));
        // The kernel only lets a capability be ambient when it is permitted and inheritable too; runc
        // warns about the rest and goes on (its own default spec asks for ambient caps it cannot have).
        _sys.SetAmbientCapabilities(Mask(caps.Ambient) & Mask(caps.Permitted) & Mask(caps.Inheritable), lastCap);
        _sys.SetKeepCapabilities(false);
        if (process.NoNewPrivileges) _sys.SetNoNewPrivileges();
    }
}
