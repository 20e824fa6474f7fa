using System.Globalization;

namespace Skiff.Runtime.Cgroups;

/// <summary>A container's counters as <c>skiff stats</c> shows them.</summary>
/// <param name="MemoryUsage">Bytes in use minus the inactive page cache, as Docker counts it.</param>
/// <param name="MemoryLimit">Null when the group has no limit.</param>
/// <param name="CpuNanoseconds">CPU time used by all the group's processes since it was created.</param>
public sealed record CgroupStats(long MemoryUsage, long? MemoryLimit, long CpuNanoseconds, long Pids, long BlockRead, long BlockWrite)
{
    // v1 writes "no limit" as the largest page-aligned long.
    private const long V1Unlimited = 0x7FFF_FFFF_FFFF_F000;

    /// <summary>"max" (v2) or v1's huge number mean no limit.</summary>
    internal static long? ParseLimit(string text)
    {
        var trimmed = text.Trim();
        if (trimmed == "max") return null;
        var value = long.Parse(trimmed, CultureInfo.InvariantCulture);
        return value >= V1Unlimited ? null : value;
    }

    /// <summary>v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N …" per device.</summary>
    internal static (long Read, long Write) ParseIoStat(string text)
    {
        long read = 0, write = 0;
        foreach (var field in text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = field.IndexOf('=');
            if (eq < 0 || !long.TryParse(field.AsSpan(eq + 1), CultureInfo.InvariantCulture, out var value)) continue;
            if (field.StartsWith("rbytes=", StringComparison.Ordinal)) read += value;
            else if (field.StartsWith("wbytes=", StringComparison.Ordinal)) write += value;
        }
        return (read, write);
    }

    /// <summary>v1 blkio.throttle.io_service_bytes: "MAJ:MIN Read N" lines per device, and a "Total" line.</summary>
    internal static (long Read, long Write) ParseBlkio(string text)
    {
        long read = 0, write = 0;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out var value)) continue;
            if (parts[1] == "Read") read += value;
            else if (parts[1] == "Write") write += value;
        }
        return (read, write);
    }
}
