namespace Skiff.Linux.Cgroups;

public enum CgroupMode
{
    /// <summary>Only cgroup v1 hierarchies, one per controller or co-mounted group.</summary>
    V1,
    /// <summary>One cgroup2 hierarchy that holds every controller.</summary>
    V2,
    /// <summary>v1 hierarchies hold the controllers; a cgroup2 mount exists beside them (systemd's
    /// "unified" directory) for process tracking only, so limits go through v1.</summary>
    Hybrid,
}

/// <summary>Where the cgroup hierarchies are mounted, as this process sees them.</summary>
/// <param name="V1Mounts">v1 controller (or "name=X" for a named hierarchy) to its mount point;
/// co-mounted controllers such as "cpu,cpuacct" map to the same directory.</param>
/// <param name="UnifiedMount">The cgroup2 mount point, if any.</param>
public sealed record CgroupLayout(CgroupMode Mode, IReadOnlyDictionary<string, string> V1Mounts, string? UnifiedMount)
{
    // Mount options of a v1 cgroup mount mix controllers with flags (rw, noprefix, xattr,
    // release_agent=...); only these names are controllers.
    private static readonly HashSet<string> V1Controllers =
    [
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "net_prio", "blkio",
        "perf_event", "hugetlb", "pids", "rdma", "misc", "debug",
    ];

    public static CgroupLayout Detect() => Parse(File.ReadAllText("/proc/self/mountinfo"));

    /// <summary>Reads a /proc/PID/mountinfo text. Throws <see cref="InvalidDataException"/> when no cgroup is mounted.</summary>
    public static CgroupLayout Parse(string mountinfo)
    {
        var mounts = new Dictionary<int, Mount>();
        foreach (var line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS"
            var halves = line.Split(" - ", 2);
            if (halves.Length != 2) continue;
            var before = halves[0].Split(' ');
            var after = halves[1].Split(' ');
            if (before.Length < 5 || after.Length < 3 || !int.TryParse(before[0], out var id) || !int.TryParse(before[1], out var parent))
                continue;
            mounts[id] = new Mount(id, parent, Unescape(before[4]), after[0], after[2].Split(','));
        }

        var v1 = new Dictionary<string, string>();
        string? unified = null;
        // The file lists mounts in tree order, not by time; ordering by id keeps the first
        // mount of a hierarchy (the one in /sys/fs/cgroup, not a later bind of it) first.
        foreach (var (_, _, mountPoint, fsType, options) in mounts.Values.Where(m => !IsHidden(m, mounts)).OrderBy(m => m.Id))
        {
            if (fsType == "cgroup2")
            {
                unified ??= mountPoint;
            }
            else if (fsType == "cgroup")
            {
                foreach (var option in options)
                {
                    if (V1Controllers.Contains(option) || option.StartsWith("name=", StringComparison.Ordinal))
                        v1.TryAdd(option, mountPoint);
                }
            }
        }

        var hasV1Controllers = v1.Keys.Any(V1Controllers.Contains);
        var mode = (hasV1Controllers, unified) switch
        {
            (true, null) => CgroupMode.V1,
            (true, _) => CgroupMode.Hybrid,
            (false, not null) => CgroupMode.V2,
            (false, null) => throw new InvalidDataException("mountinfo lists no cgroup controller hierarchy and no cgroup2 mount"),
        };
        return new CgroupLayout(mode, v1, unified);
    }

    private sealed record Mount(int Id, int Parent, string MountPoint, string FsType, string[] Options);

    // A mount on the same directory as its parent mount covers the parent, and with it
    // everything else mounted on the parent; what is mounted on the cover stays visible.
    private static bool IsHidden(Mount mount, Dictionary<int, Mount> mounts)
    {
        Mount? cameFrom = null;
        var m = mount;
        // Bounded so that a malformed file with a parent cycle cannot loop forever.
        for (var depth = 0; depth < mounts.Count; depth++)
        {
            if (mounts.Values.Any(c => c.Parent == m.Id && c != m && c != cameFrom && c.MountPoint == m.MountPoint)) return true;
            if (!mounts.TryGetValue(m.Parent, out var parent) || parent == m) return false;
            (cameFrom, m) = (m, parent);
        }
        return false;
    }

    // mountinfo writes space, tab, newline and backslash in paths as \ooo octal escapes.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\')) return field;
        var result = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                result.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                result.Append(field[i]);
            }
        }
        return result.ToString();
    }

    private static bool IsOctal(string s, int start) =>
        start + 3 <= s.Length && s[start] is >= '0' and <= '7' && s[start + 1] is >= '0' and <= '7' && s[start + 2] is >= '0' and <= '7';
}
