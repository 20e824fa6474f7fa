using System.Globalization;
using Skiff.Engine.State;
using Skiff.Runtime.Cgroups;

namespace Skiff.Engine.Containers;

/// <summary>One line of <c>skiff stats</c>. <paramref name="MemoryLimit"/> is the host's memory when the container has no limit, as Docker shows it.</summary>
public sealed record StatsRow(
    string Id, string Name, double CpuPercent, long MemoryUsage, long MemoryLimit, double MemoryPercent,
    long NetRx, long NetTx, long BlockRead, long BlockWrite, long Pids);

/// <summary>stats: a container's cgroup counters and its network namespace's traffic. CPU % is over
/// the time since the previous sample of the same container (since it started, for the first).</summary>
public sealed class ContainerStats(ContainerEngine engine)
{
    private readonly Dictionary<string, (long CpuNanoseconds, DateTime At)> _previous = [];

    /// <summary>The named containers, or every running one when none is named.</summary>
    public IReadOnlyList<StatsRow> Sample(IReadOnlyList<string> references)
    {
        var records = references.Count == 0
            ? engine.List().Where(IsRunning).ToList()
            : references.Select(engine.Find).ToList();
        return records.Select(Sample).ToList();
    }

    private StatsRow Sample(ContainerRecord record)
    {
        if (!IsRunning(record))
            return new StatsRow(record.Id, record.Name, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        var now = DateTime.UtcNow;
        CgroupStats cgroup;
        (long Rx, long Tx) net;
        try
        {
            cgroup = engine.Runtime.Stats(record.Cgroup());
            net = ParseNetDev(File.ReadAllText($"/proc/{record.Pid}/net/dev"));
        }
        catch (Exception e) when (e is CgroupException or IOException)
        {
            // It exited between the listing and the read.
            return new StatsRow(record.Id, record.Name, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        var (lastCpu, lastAt) = _previous.TryGetValue(record.Id, out var p) ? p : (0, record.StartedAt ?? now);
        _previous[record.Id] = (cgroup.CpuNanoseconds, now);
        var wall = (now - lastAt).TotalNanoseconds;
        var cpu = wall > 0 ? (cgroup.CpuNanoseconds - lastCpu) / wall * 100 : 0;
        var limit = cgroup.MemoryLimit ?? HostMemory();
        var memoryPercent = limit > 0 ? 100.0 * cgroup.MemoryUsage / limit : 0;
        return new StatsRow(record.Id, record.Name, Math.Max(cpu, 0), cgroup.MemoryUsage, limit, memoryPercent,
            net.Rx, net.Tx, cgroup.BlockRead, cgroup.BlockWrite, cgroup.Pids);
    }

    private static bool IsRunning(ContainerRecord c) => c.Status is ContainerStatus.Running or ContainerStatus.Paused && c.Pid > 0;

    /// <summary>Received and sent bytes over every interface but loopback, from /proc/PID/net/dev.</summary>
    internal static (long Rx, long Tx) ParseNetDev(string text)
    {
        long rx = 0, tx = 0;
        foreach (var line in text.Split('\n').Skip(2))
        {
            var colon = line.IndexOf(':');
            if (colon < 0 || line[..colon].Trim() == "lo") continue;
            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 9) continue;
            rx += long.Parse(fields[0], CultureInfo.InvariantCulture);
            tx += long.Parse(fields[8], CultureInfo.InvariantCulture);
        }
        return (rx, tx);
    }

    private static long HostMemory()
    {
        var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return kb is null ? 0 : long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
    }
}
