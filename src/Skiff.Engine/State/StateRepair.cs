using Skiff.Engine.Networks;

namespace Skiff.Engine.State;

/// <summary>A container <c>system repair</c> put back, with the addresses and host ports it holds again.</summary>
public sealed record RestoredContainer(string Id, string Name, ContainerStatus Status, IReadOnlyList<NetworkAllocation> Endpoints);

/// <summary>Something repair could not rebuild: what and where it is, why, and whether it was cleaned away.</summary>
public sealed record Unrecoverable(string Path, string Reason, bool Cleaned);

public sealed record RepairReport(string? SetAside, IReadOnlyList<string> Networks, IReadOnlyList<RestoredContainer> Containers, IReadOnlyList<Unrecoverable> Lost)
{
    /// <summary>What interrupted pulls, loads, commits and builds left in the image store (blobs and
    /// snapshots no image or container reaches), removed; null when it was left as it is because a
    /// container that could not be rebuilt might still use some of it.</summary>
    public long? ImageLeftoverBytes { get; init; }
}

/// <summary>
/// <c>skiff system repair</c>: rebuilds the records a lost or damaged database held from the copies
/// beside it (<see cref="RecordCopies"/>) and from what runs. A damaged database is moved aside
/// first; a sound one is only completed (a container directory without a record gets one back), so
/// repair can be run any time and twice in a row. A container that runs is put back running (paused
/// when its cgroup is frozen) with its owner, its addresses and its host ports; one that does not is
/// put back exited (created if it never ran). What has no readable copy is listed, and with
/// <c>clean</c> its processes and files go.
/// </summary>
public sealed class StateRepair(SkiffPaths paths, ILiveContainers live)
{
    public RepairReport Run(bool clean)
    {
        var aside = StateDatabase.SetAsideDamaged(paths.Root);
        using var db = new StateDatabase(paths.Root, rebuilding: true);
        var containers = new ContainerStore(db);
        var networks = new NetworkStore(db);
        var lost = new List<Unrecoverable>();

        var (copies, unreadable) = NetworkCopies.ReadNetworks(paths.Root);
        var known = networks.List().Select(n => n.Name).ToHashSet();
        var restoredNetworks = new List<string>();
        foreach (var network in copies.Where(n => !known.Contains(n.Name)))
        {
            networks.Restore(network);
            restoredNetworks.Add(network.Name);
        }
        foreach (var file in unreadable)
        {
            if (clean) File.Delete(file);
            lost.Add(new Unrecoverable(file, "the network's copy is unreadable", clean));
        }

        var restored = new List<RestoredContainer>();
        var recorded = containers.List().Select(c => c.Id).ToHashSet();
        var directories = Directory.Exists(paths.Containers) ? Directory.GetDirectories(paths.Containers) : [];
        foreach (var directory in directories.Order(StringComparer.Ordinal))
        {
            var id = Path.GetFileName(directory);
            if (recorded.Contains(id)) continue;
            var reason = Restore(containers, networks, id, restored);
            if (reason is null) continue;
            if (clean)
            {
                live.Kill(id);
                Directory.Delete(directory, recursive: true);
            }
            lost.Add(new Unrecoverable(directory, reason, clean));
        }
        return new RepairReport(aside, restoredNetworks, restored, lost);
    }

    // Why the container could not be put back, or null when it was.
    private string? Restore(ContainerStore containers, NetworkStore networks, string id, List<RestoredContainer> restored)
    {
        if (ContainerCopy.Read(paths.Root, id) is not { } created) return "no readable container.json in it";
        var running = live.Find(id, created.Request.CgroupParent);
        var record = running is { } r
            ? created with { Status = r.Frozen ? ContainerStatus.Paused : ContainerStatus.Running, Pid = r.Pid, MonitorPid = r.OwnerPid, StartedAt = r.StartedAt }
            : File.Exists(Path.Join(paths.Container(id), $"{id}-json.log"))
                ? created with
                {
                    Status = ContainerStatus.Exited, ExitCode = Reconciler.UnknownExitCode, FinishedAt = DateTime.UtcNow,
                    Error = "its exit was not recorded: the state database was lost while it ran",
                }
                : created;
        var endpoints = running is null ? [] : NetworkCopies.ReadEndpoints(paths.Root, id);
        try
        {
            containers.Restore(record);
        }
        catch (ConflictException e)
        {
            return e.Message;
        }
        try
        {
            networks.Restore(endpoints);
        }
        catch (ConflictException e)
        {
            // Half a container (running, but without its address) is not put back.
            containers.Delete(id);
            return $"its addresses could not be put back: {e.Message}";
        }
        restored.Add(new RestoredContainer(id, record.Name, record.Status, endpoints));
        return null;
    }
}
