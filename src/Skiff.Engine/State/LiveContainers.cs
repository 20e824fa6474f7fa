using System.Globalization;
using Skiff.Linux.Cgroups;
using Skiff.Runtime;
using Skiff.Runtime.Cgroups;

namespace Skiff.Engine.State;

/// <summary>A container's program as the host runs it: its init, the skiff process that owns it (monitor or foreground CLI), and whether it is paused (its cgroup frozen).</summary>
public sealed record LiveContainer(int Pid, int OwnerPid, DateTime StartedAt, bool Frozen = false);

/// <summary>What runs for a container, found without the database (for <c>system repair</c>).</summary>
public interface ILiveContainers
{
    /// <summary>The container's live init and owner; null when it does not run (or its owner is gone).</summary>
    LiveContainer? Find(string id, string? cgroupParent);

    /// <summary>Kills whatever still runs for a container that cannot be rebuilt: its processes, its cgroup, its monitor, its veth.</summary>
    void Kill(string id);
}

/// <summary>
/// Finds a container's init in its cgroup (the one process there whose parent is outside) and its
/// owner as that process's parent, which must be a skiff process: the same test the reconciler
/// applies to recorded owners.
/// </summary>
public sealed class CgroupLiveContainers(IContainerRuntime runtime) : ILiveContainers
{
    public LiveContainer? Find(string id, string? cgroupParent)
    {
        IReadOnlyList<int> pids;
        bool frozen;
        try
        {
            var location = new CgroupLocation(cgroupParent ?? ContainerRuntime.DefaultCgroupParent, id);
            pids = runtime.Processes(location);
            frozen = pids.Count > 0 && runtime.IsPaused(location);
        }
        catch (Exception e) when (e is IOException or CgroupException or UnauthorizedAccessException)
        {
            return null;
        }
        var inside = pids.ToHashSet();
        foreach (var pid in pids)
        {
            if (Stat(pid) is not var (parent, started) || inside.Contains(parent)) continue;
            return Reconciler.IsSkiffProcess(parent) ? new LiveContainer(pid, parent, started, frozen) : null;
        }
        return null;
    }

    public void Kill(string id)
    {
        try
        {
            runtime.Delete(new CgroupLocation(ContainerRuntime.DefaultCgroupParent, id), frozen: false);
        }
        catch (Exception e) when (e is IOException or CgroupException)
        {
            // Nothing there, or still busy: the directory goes either way.
        }
        foreach (var monitor in Monitors(id)) runtime.Kill(monitor, 9);
        // The host end of its first interface, should its namespace still be held by something.
        new Skiff.Network.Bridge.BridgeDriver().RemoveLink($"veth{id[..Math.Min(8, id.Length)]}");
    }

    // A monitor names its container on its command line: `skiff monitor ID`.
    private static IEnumerable<int> Monitors(string id)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Join(dir, "cmdline"));
            }
            catch (IOException)
            {
                continue;
            }
            if (cmdline.Split('\0') is [_, "monitor", var monitored, ..] && monitored == id && Reconciler.IsSkiffProcess(pid)) yield return pid;
        }
    }

    /// <summary>The parent pid and start time of a process, from /proc/PID/stat (fields 4 and 22).</summary>
    private static (int Parent, DateTime Started)? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            var ticks = long.Parse(fields[19], CultureInfo.InvariantCulture);
            return (parent, BootTime().AddSeconds(ticks / 100.0));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static DateTime BootTime()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("btime ", StringComparison.Ordinal));
        return DateTime.UnixEpoch.AddSeconds(long.Parse(line[6..], CultureInfo.InvariantCulture));
    }
}
