using System.Security.Cryptography;
using Skiff.Engine.Networks;
using Skiff.Engine.State;
using Skiff.Engine.Volumes;
using Skiff.Images;
using Skiff.Linux;
using Skiff.Runtime;
using Skiff.Runtime.Spec;
using Skiff.Runtime.Start;

namespace Skiff.Engine.Containers;

/// <summary>
/// Containers as records and bundles: create, start, stop, remove. Every state change goes through
/// the database in one transaction; the processes that run a container (a monitor, or the CLI of a
/// foreground run) call back here to record what happened.
/// </summary>
public sealed partial class ContainerEngine(SkiffPaths paths, IContainerRuntime? runtime = null) : IDisposable
{
    /// <summary>The only way to the containers' processes and cgroups: the runtime library, or a fake in unit tests.</summary>
    public IContainerRuntime Runtime { get; } = runtime ?? ContainerRuntime.Host;

    private StateDatabase? _db;
    private StateDatabase Db => _db ??= new StateDatabase(paths.Root);
    private ContainerStore Store => new(Db);
    public VolumeStore Volumes => new(Db, paths);
    public ContainerNetworking Networking => ContainerNetworking.ForHost(new NetworkStore(Db), paths.Root);

    public SkiffPaths Paths => paths;

    /// <summary>Told what a command did that the user did not spell out (a -v host directory it created).</summary>
    public Action<string>? Notices { get; set; }

    /// <summary>A new container's ID: 64 hex digits, as Docker's.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public ContainerRecord Create(RunRequest request) =>
        StateUnwritableException.Guard(paths.Root, () => CreateUnguarded(request));

    private ContainerRecord CreateUnguarded(RunRequest request)
    {
        Validate(request);
        if (request.Name is { } wanted) ContainerStore.ValidateName(wanted);
        request = CheckNetworks(request);
        var image = new ImageStore(paths.Images).Resolve(request.Image);
        request = Volumes.Attach(request, image, (path, first) => Notices?.Invoke(path == first
            ? $"created the host directory {path} for a -v mount, as it did not exist"
            : $"created the host directory {path} (and the missing parents from {first}) for a -v mount, as it did not exist")) with
        {
            StopSignal = request.StopSignal ?? image.Config.StopSignal,
            Labels = ImageLabels.Merge(image.Config.Labels, request.Labels),
        };
        request = PublishedPorts.AtCreate(request, image.Config.ExposedPorts);
        StartTimeline.Mark("image resolved");
        var id = NewId();
        var bundle = paths.Container(id);
        // The record comes first: a CLI killed at any later point leaves a "created" container that
        // `rm` cleans up, never files that no record knows about.
        ContainerRecord record;
        try
        {
            record = Insert(id, request, image.Id.ToString());
        }
        catch
        {
            Volumes.RemoveAnonymous(id, request.Mounts);
            throw;
        }
        try
        {
            Directory.CreateDirectory(Path.Join(bundle, "rootfs"));
            Directory.CreateDirectory(Path.Join(bundle, "upper"));
            Directory.CreateDirectory(Path.Join(bundle, "work"));
            WriteNetworkFiles(bundle, Hostname(request, id), request);
            Store.WriteCopy(record);
            return record;
        }
        catch
        {
            Remove(id, force: true, removeVolumes: true);
            throw;
        }
    }

    private ContainerRecord Insert(string id, RunRequest request, string imageId)
    {
        for (var attempt = 1; ; attempt++)
        {
            var record = new ContainerRecord
            {
                Id = id,
                Name = request.Name ?? NameGenerator.Next(Store.NameTaken),
                Image = request.Image,
                ImageId = imageId,
                Created = DateTime.UtcNow,
                Request = request,
            };
            try
            {
                Store.Insert(record);
                return record;
            }
            // Two creates may draw the same generated name at once: draw again.
            catch (ConflictException) when (request.Name is null && attempt < 5)
            {
            }
        }
    }

    /// <summary>
    /// Spawns the container's init in its namespaces right away, before the image is even resolved:
    /// its exec and start then overlap everything <see cref="Create"/> does.
    /// </summary>
    public PendingInit Launch(RunRequest request, int[]? stdio) =>
        PendingInit.Launch(ContainerSpecBuilder.Namespaces(request, JoinedNetworkNamespace(request)), stdio);

    /// <summary>Starts the program of a created or exited container; <paramref name="owner"/> is the process that will wait for it.</summary>
    /// <param name="consoleSize">the size of the caller's terminal, for a container with a tty.</param>
    public RunningContainer Start(ContainerRecord record, PendingInit init, int owner, WindowSize? consoleSize = null)
    {
        var image = new ImageStore(paths.Images).Resolve(record.ImageId);
        var bundle = paths.Container(record.Id);
        var spec = WithConsoleSize(ContainerSpecBuilder.Build(record.Request, image, record.Id, bundle, Hostname(record.Request, record.Id), JoinedNetworkNamespace(record.Request)), consoleSize);
        RunningContainer running;
        try
        {
            running = Runtime.Start(new StartOptions
            {
                Id = record.Id, Spec = spec, BundleDir = bundle, Init = init,
                BeforeSpec = record.Request.Network == NetworkMode.Bridge ? pid => ConnectNetworks(record, pid) : null,
            });
        }
        catch (Exception e)
        {
            ReleaseNetworks(record.Id);
            // Why it did not start is kept, as Docker's State.Error: the program's own failure ends
            // the container (exited), the engine's (a port taken, a limit refused) leaves it as it
            // was, with Docker's 128 for "the engine failed to start it".
            Store.Update(record.Id, c => e is ContainerStartException start
                ? c with { Status = ContainerStatus.Exited, ExitCode = start.ExitCode, Error = start.Message, FinishedAt = DateTime.UtcNow }
                : c with { ExitCode = EngineStartFailure, Error = e.Message });
            throw;
        }
        Store.Update(record.Id, c => c with
        {
            Status = ContainerStatus.Running, Pid = running.Pid, MonitorPid = owner, StartedAt = DateTime.UtcNow,
            ExitCode = 0, OomKilled = false, Error = null, FinishedAt = null,
        });
        return running;
    }

    /// <summary>Docker's exit code of a container its engine failed to start.</summary>
    public const int EngineStartFailure = 128;

    /// <summary>Starts a process in a running container: all its namespaces, its cgroup, its user, environment and capabilities.</summary>
    public RunningContainer Exec(string reference, ExecRequest request, int[]? stdio, WindowSize? consoleSize = null)
    {
        var record = Find(reference);
        // Docker's own words: a frozen container could not even start the new process.
        if (record.Status == ContainerStatus.Paused)
            throw new ConflictException($"Container {record.Id} is paused, unpause the container before exec");
        if (record.Status != ContainerStatus.Running || record.Pid <= 0)
            throw new ConflictException($"container {record.Name} is not running: start it first (skiff start {record.Name})");
        var image = new ImageStore(paths.Images).Resolve(record.ImageId);
        var spec = ContainerSpecBuilder.BuildExec(record, request, image.Config, Hostname(record.Request, record.Id));
        return Runtime.Exec(record.Id, WithConsoleSize(spec, consoleSize), record.Cgroup(), stdio);
    }

    /// <summary>Records the exit and gives back the container's addresses and rules (its veth died with its namespace).</summary>
    private static RuntimeSpec WithConsoleSize(RuntimeSpec spec, WindowSize? size) =>
        size is { } s && spec.Process.Terminal
            ? spec with { Process = spec.Process with { ConsoleSize = new ConsoleSize(s.Rows, s.Columns) } }
            : spec;

    public ContainerRecord RecordExit(string id, int exitCode, bool oomKilled)
    {
        ReleaseNetworks(id);
        return Store.Update(id, c => c with
        {
            Status = ContainerStatus.Exited, ExitCode = exitCode, OomKilled = oomKilled, Pid = 0,
            FinishedAt = DateTime.UtcNow,
        });
    }

    public ContainerRecord RecordRestart(string id) =>
        Store.Update(id, c => c with { Status = ContainerStatus.Restarting, RestartCount = c.RestartCount + 1 });

    /// <summary>A container's record, corrected first if its owner died (see <see cref="Reconciler"/>).</summary>
    public ContainerRecord Find(string reference) =>
        Reconcile(Store.Find(reference)) ?? throw new NoSuchContainerException(reference);

    // A container removed by another command between the read and the reconciling is left out.
    public IReadOnlyList<ContainerRecord> List() => Store.List().Select(Reconcile).OfType<ContainerRecord>().ToList();

    // A container whose owner died never recorded its exit: its addresses and rules go back here.
    private ContainerRecord? Reconcile(ContainerRecord record)
    {
        var reconciled = Reconciler.Reconcile(Store, Runtime, record);
        if (reconciled is not null && reconciled.Status != record.Status && reconciled.Status == ContainerStatus.Exited)
            ReleaseNetworks(record.Id);
        return reconciled;
    }

    public ContainerRecord Update(string id, Func<ContainerRecord, ContainerRecord> change) => Store.Update(id, change);

    /// <summary>Removes the record and every file of a container that is not running (or, with force, kills it first).</summary>
    public void Remove(string reference, bool force, bool removeVolumes = false)
    {
        var record = Find(reference);
        if (record.Status is ContainerStatus.Running or ContainerStatus.Restarting or ContainerStatus.Paused)
        {
            if (!force)
                throw new ConflictException($"container {record.Name} is {record.Status.ToString().ToLowerInvariant()}: stop it first, or use rm -f");
            Store.Update(record.Id, c => c with { StopRequested = true });
            record = ContainerFreezer.ThawForSignal(this, record);
            if (record.Pid > 0) Runtime.Kill(record.Pid, 9);
            WaitForExit(record.Id, TimeSpan.FromSeconds(10));
            CrashPoint.Reached("rm:killed");
        }
        else KillUnrecordedProgram(record);
        // A command killed from here on leaves a record that says so, and that rm finishes removing.
        Store.Update(record.Id, c => c with { Status = ContainerStatus.Removing });
        CrashPoint.Reached("rm:marked");
        var bundle = paths.Container(record.Id);
        if (Directory.Exists(bundle)) Directory.Delete(bundle, recursive: true);
        CrashPoint.Reached("rm:files-deleted");
        Store.Delete(record.Id);
        CrashPoint.Reached("rm:record-deleted");
        // A CLI killed mid-start (address taken, record not yet running) leaves an allocation only this finds.
        ReleaseNetworks(record.Id);
        // --rm takes the anonymous volumes along too, as in Docker.
        if (removeVolumes || record.Request.AutoRemove) Volumes.RemoveAnonymous(record.Id, record.Request.Mounts);
    }

    /// <summary>
    /// A start killed between spawning the container's init and recording it running leaves a
    /// record that says "created" while the program lives on in its cgroup, owned by nobody (the
    /// soak's random kills found it): whatever is in the cgroup goes with the container. Only a
    /// cgroup that exists is touched, so that an empty shared parent is never removed under a
    /// container being created in it.
    /// </summary>
    private void KillUnrecordedProgram(ContainerRecord record)
    {
        try
        {
            if (Runtime.Processes(record.Cgroup()).Count > 0) Runtime.Delete(record.Cgroup(), frozen: false);
        }
        catch (Exception e) when (e is Skiff.Runtime.Cgroups.CgroupException or IOException)
        {
            // No cgroup: nothing runs for it.
        }
    }

    /// <summary>Polls the record until the container is no longer running; the exit code, or null on timeout.</summary>
    public ContainerRecord WaitForExit(string id, TimeSpan? timeout = null)
    {
        var deadline = timeout is { } t ? DateTime.UtcNow + t : DateTime.MaxValue;
        while (true)
        {
            var record = Find(id);
            if (record.Status is not (ContainerStatus.Running or ContainerStatus.Restarting or ContainerStatus.Paused)) return record;
            if (DateTime.UtcNow > deadline) return record;
            Thread.Sleep(20);
        }
    }

    /// <summary><c>system repair</c> (see <see cref="StateRepair"/>), then the rules rewritten from the
    /// rebuilt records, then the image store cleared of what interrupted writers left, unless a
    /// container left unrebuilt (its image unknown) might still use some of it.</summary>
    public RepairReport Repair(bool clean)
    {
        var report = new StateRepair(paths, new CgroupLiveContainers(Runtime)).Run(clean);
        if (report.Networks.Count > 0 || report.Containers.Any(c => c.Endpoints.Count > 0)) Networking.ApplyRules();
        if (report.Lost.Any(l => !l.Cleaned && l.Path.StartsWith(paths.Containers, StringComparison.Ordinal))) return report;
        var store = new ImageStore(paths.Images);
        return report with { ImageLeftoverBytes = store.Collect(new ContainerImageUsers(paths, store)).ReclaimedBytes };
    }

    public static string Hostname(RunRequest request, string id) =>
        request.Hostname ?? ContainerFiles.DefaultHostname(id, request.Network);

    public string LogPath(string id) => Path.Join(paths.Container(id), $"{id}-json.log");

    private static void Validate(RunRequest request)
    {
        var r = request.Resources;
        // The kernel needs some headroom to start anything at all; Docker refuses less than 6 MB.
        if (r.MemoryBytes is < 6 * 1024 * 1024)
            throw new InvalidInputException("minimum memory limit allowed is 6MB");
        if (r.MemorySwapBytes is { } swap && swap != -1)
        {
            if (r.MemoryBytes is null)
                throw new InvalidInputException("you should always set the memory limit when using a memory-swap limit; see --memory");
            if (swap < r.MemoryBytes)
                throw new InvalidInputException("minimum memory-swap limit should be larger than the memory limit; see --memory-swap");
        }
        if (r.Cpus is <= 0) throw new InvalidInputException("--cpus must be greater than 0");
        if (r.Cpus is { } cpus && cpus > Environment.ProcessorCount)
            throw new InvalidInputException($"range of CPUs is from 0.01 to {Environment.ProcessorCount}.00, as there are only {Environment.ProcessorCount} CPUs available");
        if (r.PidsLimit is 0) throw new InvalidInputException("--pids-limit must be positive, or -1 for unlimited");
        if (r.CpusetCpus is { } cpuset) CpuList.Check(cpuset, File.ReadAllText(CpuList.OnlineFile));
        if (request.AutoRemove && request.Restart.Mode != RestartMode.No)
            throw new InvalidInputException("conflicting options: --restart and --rm");
    }

    /// <summary>
    /// Closes the database until the next use opens it again: a monitor holds nothing of SQLite
    /// (no descriptor, no page cache, no lock) while its container runs.
    /// </summary>
    public void CloseState()
    {
        _db?.Dispose();
        _db = null;
    }

    public void Dispose() => CloseState();
}
