using System.Text.Json;
using Skiff.Linux;
using Skiff.Linux.Cgroups;
using Skiff.Runtime.Cgroups;
using Skiff.Runtime.Hooks;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Oci;

/// <summary>What <c>create</c> (and <c>run</c>) is given besides the container's id.</summary>
public sealed record CreateRequest
{
    public required string Id { get; init; }
    public required string Bundle { get; init; }
    public string? PidFile { get; init; }
    /// <summary>A unix socket that receives the pty master (SCM_RIGHTS) when process.terminal is set.</summary>
    public string? ConsoleSocket { get; init; }
    /// <summary>cgroupsPath is "slice:prefix:name", as systemd-driven engines write it.</summary>
    public bool SystemdCgroup { get; init; }
    /// <summary>How many of the caller's descriptors from 3 up the program receives as they are (--preserve-fds).</summary>
    public int PreservedFds { get; init; }
}

/// <summary>
/// The OCI runtime's verbs over containers kept under one state root: create, start, state, kill,
/// delete, pause, resume, exec, ps, update, stats. Each verb is a separate process in runc's model
/// (containerd runs one per step), so nothing here holds a container between calls but its state file.
/// </summary>
public sealed partial class OciRuntime(StateRoot root, IContainerRuntime? runtime = null)
{
    private readonly IContainerRuntime _runtime = runtime ?? ContainerRuntime.Host;

    public StateRoot Root { get; } = root;

    /// <summary>
    /// Everything but the program: namespaces, cgroup, filesystem, hooks up to createContainer; init
    /// then waits on the container's exec fifo. The returned handle is init; the caller may wait on it.
    /// </summary>
    public RunningContainer Create(CreateRequest request)
    {
        var bundle = Path.GetFullPath(request.Bundle);
        var spec = DefaultDeviceRules.Apply(ReadSpec(bundle));
        Refuse(spec, request);
        CheckPreserved(request.PreservedFds);
        var (parent, name) = CgroupPathOf(spec.Linux.CgroupsPath, request.Id, request.SystemdCgroup);
        Root.Claim(request.Id);
        var state = new ContainerState
        {
            Id = request.Id, Bundle = bundle, Spec = spec, Created = DateTime.UtcNow, Creating = true,
            CgroupParent = parent, CgroupName = name,
        };
        try
        {
            Root.Save(state);
            var fifo = Root.StartFifo(request.Id);
            FileDescriptors.MakeFifo(fifo, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
            var running = _runtime.Start(new StartOptions
            {
                Id = request.Id, Spec = spec, BundleDir = bundle, StartFifo = fifo,
                CgroupParentOverride = (parent, name),
                PreservedFds = request.PreservedFds,
                StateForHooks = pid => StateJson(state with { Pid = pid }, OciStatus.Creating),
                BeforeSpec = pid =>
                {
                    var json = StateJson(state with { Pid = pid }, OciStatus.Creating);
                    HookRunner.Run("prestart", spec.Hooks?.Prestart, json);
                    HookRunner.Run("createRuntime", spec.Hooks?.CreateRuntime, json);
                },
            });
            state = state with { Creating = false, Pid = running.Pid, PidStartTime = ProcessStat.Read(running.Pid)?.StartTime ?? 0 };
            Root.Save(state);
            if (running.ConsoleMaster is { } master) SendConsole(request.ConsoleSocket!, master);
            if (request.PidFile is { } pidFile) WritePidFile(pidFile, running.Pid);
            return running;
        }
        catch (Exception e) when (e is not OciException)
        {
            Root.Remove(request.Id);
            throw new OciException($"container {request.Id} could not be created: {e.Message}", cause: e);
        }
        catch
        {
            Root.Remove(request.Id);
            throw;
        }
    }

    /// <summary>Lets a created container's init exec the program, then runs the poststart hooks.</summary>
    public void Start(string id)
    {
        var state = Root.Load(id);
        var fifoPath = Root.StartFifo(id);
        var status = state.Status(File.Exists(fifoPath));
        if (status != OciStatus.Created)
            throw new OciException($"cannot start container {id}: it is {status.Name()}, and only a created container can be started");
        var fifo = FileDescriptors.Open(fifoPath, FileDescriptors.ORdonly | FileDescriptors.ONonblock);
        try
        {
            Span<PollFd> poll = [new PollFd(fifo, PollFd.In)];
            Span<byte> one = stackalloc byte[1];
            // init opens its end when it reaches the point of exec; it may also die first.
            while (true)
            {
                if (Poll.Wait(poll, 100) > 0 && FileDescriptors.TryRead(fifo, one) == 1) break;
                poll[0].Revents = 0;
                if (!state.InitAlive()) throw new OciException($"cannot start container {id}: its init exited before the program started");
            }
        }
        finally
        {
            FileDescriptors.Close(fifo);
        }
        File.Delete(fifoPath);
        RunWarningOnFailure("poststart", state.Spec.Hooks?.Poststart, StateJson(state, OciStatus.Running));
    }

    public OciStateView State(string id) => View(Root.Load(id));

    public IReadOnlyList<OciStateView> List() =>
        Root.Ids().Select(id => { try { return View(Root.Load(id)); } catch (OciException) { return null; } }).OfType<OciStateView>().ToList();

    /// <param name="all">every process in the container's cgroup, not just its init.</param>
    public void Kill(string id, int signal, bool all)
    {
        var state = Root.Load(id);
        var status = StatusOf(state);
        if (status is OciStatus.Stopped or OciStatus.Creating)
            throw new OciException($"cannot kill container {id}: it is {status.Name()}");
        if (all)
            foreach (var pid in _runtime.Processes(Cgroup(state))) _runtime.Kill(pid, signal);
        else if (!_runtime.Kill(state.Pid, signal))
            throw new OciException($"cannot kill container {id}: its init (pid {state.Pid}) is gone");
    }

    /// <summary>Removes a created or stopped container: its processes, cgroup and state; <paramref name="force"/> also a running one.</summary>
    public void Delete(string id, bool force)
    {
        if (!Root.Exists(id))
        {
            if (force) { Root.Remove(StateRoot.CheckId(id)); return; }
            throw new OciException($"container {id} does not exist");
        }
        var state = Root.Load(id);
        var status = StatusOf(state);
        if (status is OciStatus.Running or OciStatus.Paused && !force)
            throw new OciException($"cannot delete container {id}: it is {status.Name()}; stop it first (kill) or use --force");
        if (state.InitAlive()) _runtime.Kill(state.Pid, 9);
        _runtime.Delete(Cgroup(state), frozen: status == OciStatus.Paused);
        Root.Remove(id);
        RunWarningOnFailure("poststop", state.Spec.Hooks?.Poststop, StateJson(state, OciStatus.Stopped));
    }

    public void Pause(string id)
    {
        var state = Running(id, "pause");
        _runtime.Pause(Cgroup(state));
        Root.Save(state with { Paused = true });
    }

    public void Resume(string id)
    {
        var state = Root.Load(id);
        if (StatusOf(state) != OciStatus.Paused) throw new OciException($"cannot resume container {id}: it is not paused");
        _runtime.Resume(Cgroup(state));
        Root.Save(state with { Paused = false });
    }

    /// <summary>The container's processes as the host numbers them.</summary>
    public IReadOnlyList<int> Processes(string id)
    {
        var state = Root.Load(id);
        return StatusOf(state) == OciStatus.Stopped ? [] : _runtime.Processes(Cgroup(state));
    }

    public CgroupStats Stats(string id) => _runtime.Stats(Cgroup(Running(id, "read the stats of")));

    /// <summary>Writes new limits into the container's cgroup and keeps them in its spec; returns what the kernel could not apply.</summary>
    public IReadOnlyList<string> Update(string id, LinuxResources resources)
    {
        var state = Root.Load(id);
        if (StatusOf(state) == OciStatus.Stopped) throw new OciException($"cannot update container {id}: it is stopped");
        var warnings = _runtime.Update(Cgroup(state), resources);
        Root.Save(state with { Spec = state.Spec with { Linux = state.Spec.Linux with { Resources = Merge(state.Spec.Linux.Resources, resources) } } });
        return warnings;
    }

    /// <summary>Starts <paramref name="process"/> in the container's namespaces and cgroup.</summary>
    /// <param name="preservedFds">how many of the caller's descriptors from 3 up the process receives as they are.</param>
    /// <param name="detached">the caller exits without waiting: the process's exit is left to the caller's parent to reap.</param>
    public RunningContainer Exec(string id, ProcessSpec process, string? consoleSocket, int preservedFds = 0, bool detached = false)
    {
        var state = Running(id, "exec in");
        CheckPreserved(preservedFds);
        if (process.Terminal && consoleSocket is null)
            throw new OciException("exec --tty needs --console-socket: the pty master is handed over on that socket");
        var namespaces = state.Spec.Linux.Namespaces.Where(n => n.Type != "user")
            .Select(n => new NamespaceSpec(n.Type, $"/proc/{state.Pid}/ns/{ProcName(n.Type)}")).ToList();
        var spec = new RuntimeSpec { Process = process, Root = state.Spec.Root, Linux = new LinuxSpec { Namespaces = namespaces } };
        var running = _runtime.Exec(id, spec, Cgroup(state), null, preservedFds, detached);
        if (running.ConsoleMaster is { } master) SendConsole(consoleSocket!, master);
        return running;
    }

    public OciStatus StatusOf(ContainerState state) => state.Status(File.Exists(Root.StartFifo(state.Id)));

    private ContainerState Running(string id, string verb)
    {
        var state = Root.Load(id);
        var status = StatusOf(state);
        return status == OciStatus.Running ? state : throw new OciException($"cannot {verb} container {id}: it is {status.Name()}, not running");
    }

    private OciStateView View(ContainerState state)
    {
        var status = StatusOf(state);
        return new OciStateView
        {
            Id = state.Id, Status = status.Name(), Pid = status == OciStatus.Stopped ? 0 : state.Pid, Bundle = state.Bundle,
            Rootfs = state.Rootfs, Created = state.Created, Annotations = state.Spec.Annotations,
        };
    }

    private string StateJson(ContainerState state, OciStatus status) =>
        JsonSerializer.Serialize(View(state) with { Status = status.Name(), Pid = state.Pid }, OciJson.Default.OciStateView);

    private static CgroupLocation Cgroup(ContainerState state) => new(state.CgroupParent, state.CgroupName);

    /// <summary>The runtime spec: poststart and poststop hooks that fail are warned about, and the rest still run.</summary>
    private static void RunWarningOnFailure(string stage, IReadOnlyList<HookSpec>? hooks, string stateJson)
    {
        foreach (var hook in hooks ?? [])
        {
            try { HookRunner.Run(stage, [hook], stateJson); }
            catch (HookException e) { Console.Error.WriteLine($"warning: {e.Message}"); }
        }
    }

    public static RuntimeSpec ReadSpec(string bundle)
    {
        var file = Path.Join(bundle, "config.json");
        try
        {
            using var stream = File.OpenRead(file);
            return JsonSerializer.Deserialize(stream, OciJson.Default.RuntimeSpec) ?? throw new OciException($"{file} is empty");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new OciException($"the bundle {bundle} has no config.json: pass the bundle's directory with --bundle (runc spec writes a default one)");
        }
        catch (JsonException e)
        {
            throw new OciException($"{file} is not a valid runtime spec: {e.Message}");
        }
    }

    /// <summary>What this runtime cannot do yet is refused by name, never silently left out.</summary>
    private static void Refuse(RuntimeSpec spec, CreateRequest request)
    {
        // Without one, init would mount and pivot_root in the caller's own mount namespace: the root
        // of every process there (a whole host) would become the container's.
        if (!spec.Linux.Namespaces.Any(n => n.Type == "mount"))
            throw new OciException("config.json has no mount namespace, and skiff-runc will not change the mounts of the calling system: add {\"type\": \"mount\"} to linux.namespaces");
        if (spec.Linux.Namespaces.Any(n => n.Type == "user"))
            throw new OciException("config.json asks for a user namespace, which skiff-runc does not support yet: remove it from linux.namespaces");
        if (spec.Process.Terminal && request.ConsoleSocket is null)
            throw new OciException("process.terminal is true, so --console-socket is needed: the pty master is handed over on that socket");
    }

    /// <summary>Each preserved descriptor must be open: a gap would be filled by one of the runtime's own pipes, handed on by mistake.</summary>
    private static void CheckPreserved(int count)
    {
        for (var fd = 3; fd < 3 + count; fd++)
            if (!FileDescriptors.IsOpen(fd))
                throw new OciException($"--preserve-fds {count} passes descriptors 3 to {2 + count}, but {fd} is not open: open them before calling skiff-runc, or pass a smaller number");
    }

    /// <summary>
    /// Splits cgroupsPath into parent and leaf: "/a/b/ID" as a path (relative ones too); with
    /// --systemd-cgroup "machine.slice:libpod:ID" becomes machine.slice/libpod-ID.scope as systemd lays it out.
    /// </summary>
    public static (string Parent, string Name) CgroupPathOf(string? cgroupsPath, string id, bool systemd)
    {
        if (systemd && cgroupsPath?.Split(':') is [var slice, var prefix, var name])
            return (slice is "" ? "system.slice" : slice, name.EndsWith(".slice", StringComparison.Ordinal) ? name : $"{prefix}-{name}.scope");
        return ContainerRuntime.CgroupPath(cgroupsPath, id);
    }

    private static string ProcName(string specType) => specType switch
    {
        "mount" => "mnt",
        "network" => "net",
        _ => specType,
    };

    /// <summary>Hands the pty master to whoever listens on the console socket; ours closes either way.</summary>
    private static void SendConsole(string socketPath, OwnedFd master)
    {
        using (master)
        {
            var socket = UnixSockets.Connect(socketPath);
            try { UnixSockets.SendDescriptor(socket, master.Value, "/dev/ptmx"); }
            finally { FileDescriptors.Close(socket); }
        }
    }

    private static void WritePidFile(string path, int pid)
    {
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp";
        File.WriteAllText(temporary, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.Move(temporary, full, overwrite: true);
    }

    private static LinuxResources Merge(LinuxResources? old, LinuxResources update) => old is null ? update : old with
    {
        Memory = update.Memory ?? old.Memory,
        Cpu = update.Cpu ?? old.Cpu,
        Pids = update.Pids ?? old.Pids,
        BlockIO = update.BlockIO ?? old.BlockIO,
        Devices = update.Devices ?? old.Devices,
    };
}
