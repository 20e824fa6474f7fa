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
public static class InitProcess
{
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
        var reportTo = handles.Status;
        // Neither pipe may reach the user's program: the status pipe's end of file is the "exec succeeded" signal.
        FileDescriptors.SetInheritable(handles.Status, false);
        FileDescriptors.SetInheritable(handles.Sync, false);
        try
        {
            StartTimeline.Mark("init started");
            var lastCap = Capabilities.LastCap();
            var grantable = Capabilities.CurrentBounding();
            // The runtime may spawn init before it has the spec (so that init's start overlaps its
            // own work); the spec arrives once init is in the container's cgroup.
            var instructions = InitSpecCodec.Decode(InitChannel.ReceiveSpec(handles.Sync));
            var spec = instructions.Spec;
            var seccomp = instructions.Seccomp;
            StartTimeline.Mark("init has its spec");
            var newNetwork = spec.Linux.Namespaces.Any(n => n.Type == "network" && n.Path is null);

            // The cgroup namespace is entered only now, so that its root is the container's own cgroup.
            if (spec.Linux.Namespaces.Any(n => n.Type == "cgroup" && n.Path is null))
                Namespaces.Unshare(NamespaceKind.Cgroup);

            var joinedMounts = spec.Linux.Namespaces.FirstOrDefault(n => n.Type == "mount" && n.Path is not null);
            var builder = new RootfsBuilder(LinuxSyscalls.Instance);
            // Opened while the host's paths are still visible; reopened for writing through /proc once pivoted.
            var startFifo = instructions.StartFifo is { } fifoPath ? FileDescriptors.Open(fifoPath, FileDescriptors.OPath) : -1;
            if (joinedMounts is not null)
                EnterMountNamespace(joinedMounts.Path!);
            else
                builder.MountAndPivot(spec, () => HookRunner.Run("createContainer", spec.Hooks?.CreateContainer, instructions.HookState ?? ""));
            if (handles.Stdio is { } stdio)
                RedirectStdio(stdio);
            if (spec.Process.Terminal) SetUpConsole(handles, spec.Process.ConsoleSize, ownsConsole: joinedMounts is null);
            if (joinedMounts is null)
            {
                foreach (var (key, setting) in spec.Linux.Sysctl ?? new Dictionary<string, string>())
                    File.WriteAllText("/proc/sys/" + key.Replace('.', '/'), setting);
                builder.Finish(spec);
                if (spec.Hostname is { Length: > 0 } hostname) LinuxSyscalls.Instance.SetHostname(hostname);
                if (newNetwork) InterfaceFlags.BringUp("lo");
            }

            var user = ResolveUser(spec.Process.User);
            var env = WithHome(spec.Process.Env, user.Home);
            EnterWorkingDirectory(spec.Process.Cwd);
            foreach (var limit in spec.Process.Rlimits ?? [])
                Rlimits.Set(limit.Type, limit.Soft, limit.Hard);
            if (spec.Process.User.Umask is { } umask) ProcessControl.SetUmask(umask);
            // As runc: without no_new_privs, loading a filter takes CAP_SYS_ADMIN, which init holds only
            // until it drops privileges; with it, the filter waits until just before execve, so that a
            // profile need allow little more than the program itself.
            if (seccomp is not null && !spec.Process.NoNewPrivileges) SeccompFilter.Load(seccomp.Instructions, seccomp.Flags);
            DropPrivileges(spec.Process, user, lastCap, grantable);
            var program = ExecutableLookup.Find(spec.Process.Args.FirstOrDefault() ?? "", env);

            StartTimeline.Mark("init about to exec");
            FileDescriptors.MarkAllCloseOnExec(first: 3 + handles.PreservedFds);
            if (startFifo >= 0)
            {
                // The runtime stops listening here: from now on a failure is only told on stderr.
                Report(handles.Status, InitChannel.CreatedLine);
                reportTo = -1;
                WaitForStart(startFifo);
                HookRunner.Run("startContainer", spec.Hooks?.StartContainer, instructions.HookState ?? "");
            }
            else
            {
                Report(handles.Status, InitChannel.ExecLine);
                if (instructions.ExecAfterRuntimeExits) WaitForEndOfFile(handles.Sync);
            }
            if (seccomp is not null && spec.Process.NoNewPrivileges) SeccompFilter.Load(seccomp.Instructions, seccomp.Flags);
            CrashPoint.Reached("init:exec");
            try
            {
                ProcessControl.Exec(program, spec.Process.Args, env);
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
            return Fail(reportTo, e.ExitCode, e.Message);
        }
        catch (Exception e)
        {
            return Fail(reportTo, 125, e.Message);
        }
    }

    private static int Fail(int status, int code, string message)
    {
        if (status >= 0) Report(status, $"{InitChannel.ErrorLine} {code} {message.ReplaceLineEndings(" ")}");
        else Console.Error.WriteLine($"skiff init: {message}");
        return code;
    }

    /// <summary>
    /// Blocks until <c>start</c> opens the fifo's other end (runc's exec.fifo): opening a fifo for
    /// writing waits for a reader. The byte written tells <c>start</c> the program is about to run.
    /// </summary>
    private static void WaitForStart(int fifoPath)
    {
        var fifo = FileDescriptors.Open($"/proc/self/fd/{fifoPath}", FileDescriptors.OWronly);
        FileDescriptors.WriteAll(fifo, "0"u8);
        FileDescriptors.Close(fifo);
        FileDescriptors.Close(fifoPath);
    }

    private static void WaitForEndOfFile(int fd)
    {
        Span<byte> b = stackalloc byte[1];
        while (FileDescriptors.Read(fd, b) > 0) { }
    }

    private static void Report(int fd, string line) =>
        FileDescriptors.WriteAll(fd, Encoding.UTF8.GetBytes(line + "\n"));

    private static void WaitFor(int fd, byte expected)
    {
        Span<byte> b = stackalloc byte[1];
        if (FileDescriptors.Read(fd, b) != 1 || b[0] != expected)
            throw new InvalidOperationException("the runtime went away while the container was starting");
    }

    /// <summary>
    /// The pty comes from the container's own devpts, so that programs inside see /dev/pts/N as their
    /// terminal. The runtime copies the master out of this process (pidfd_getfd) before we go on.
    /// Only the container's first process binds its pty on /dev/console, as runc does: an exec joins
    /// a mount namespace that has its console already, and a bind over it would outlive the exec's pty
    /// (the next exec's mount then fails on the stale node).
    /// </summary>
    private static void SetUpConsole(InitChannel.Handles handles, ConsoleSize? size, bool ownsConsole)
    {
        var (master, slave, slavePath) = Pty.Open("/dev/ptmx");
        // The size must be right before the program's first look at it, not after a relay catches up.
        if (size is { } s) Pty.SetSize(master, new WindowSize((ushort)s.Height, (ushort)s.Width));
        if (ownsConsole)
        {
            LinuxSyscalls.Instance.Touch("/dev/console");
            LinuxSyscalls.Instance.Mount(slavePath, "/dev/console", null, MountFlags.Bind, null);
        }
        Report(handles.Status, $"{InitChannel.ConsoleLine} {master}");
        WaitFor(handles.Sync, InitChannel.ConsoleTaken);
        FileDescriptors.Close(master);
        Pty.BecomeControllingTerminal(slave);
        for (var i = 0; i < 3; i++) FileDescriptors.Dup2(slave, i);
        FileDescriptors.Close(slave);
    }

    /// <summary>
    /// exec into a running container: its filesystem is already built, so init only moves into its
    /// mount namespace (which needs a thread-private fs first; .NET's threads share one) and to its root.
    /// </summary>
    private static void EnterMountNamespace(string path)
    {
        Namespaces.UnshareFs();
        Namespaces.Join(path, NamespaceKind.Mount);
        LinuxSyscalls.Instance.Chdir("/");
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
    private static void EnterWorkingDirectory(string cwd)
    {
        try
        {
            Directory.CreateDirectory(cwd);
            LinuxSyscalls.Instance.Chdir(cwd);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SyscallException)
        {
            throw new InvalidOperationException($"the working directory \"{cwd}\" is not a directory the container can have: give a directory path inside the container with -w");
        }
        if (!WorkingDirectory.IsInsideRoot())
            throw new InvalidOperationException($"the working directory \"{cwd}\" leads outside the container: give a directory path inside the container with -w");
    }

    /// <summary>The order runc uses: bounding set while still root, keep-caps across setuid, then the exact sets.</summary>
    private static void DropPrivileges(ProcessSpec process, ContainerUser user, int lastCap, ulong grantable)
    {
        var caps = process.Capabilities ?? new CapabilitiesSpec();
        ulong Mask(List<string> names) => Capabilities.Mask(names) & grantable;
        Capabilities.DropBoundingExcept(Mask(caps.Bounding), lastCap);
        Capabilities.SetKeepCaps(true);
        Identity.Become(user.Uid, user.Gid, user.AdditionalGids);
        Capabilities.Set(Mask(caps.Effective), Mask(caps.Permitted), Mask(caps.Inheritable));
        // The kernel only lets a capability be ambient when it is permitted and inheritable too; runc
        // warns about the rest and goes on (its own default spec asks for ambient caps it cannot have).
        Capabilities.SetAmbient(Mask(caps.Ambient) & Mask(caps.Permitted) & Mask(caps.Inheritable), lastCap);
        Capabilities.SetKeepCaps(false);
        if (process.NoNewPrivileges) Capabilities.SetNoNewPrivileges();
    }
}
