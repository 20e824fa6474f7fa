using Skiff.Linux;
using System.Globalization;

namespace Skiff.Engine.Containers;

/// <summary>
/// The kernel's CPU list syntax (--cpuset-cpus, /sys/devices/system/cpu/online): numbers and
/// ranges joined by commas, "0-2,5". Checked here against the online CPUs, so that a wrong list is
/// refused by name before anything is made, not by a cgroup write failing with ERANGE.
/// </summary>
public static class CpuList
{
    public const string OnlineFile = "/sys/devices/system/cpu/online";

    /// <summary>The CPUs in the list; null when it is not in the syntax.</summary>
    public static SortedSet<int>? Parse(string text)
    {
        var cpus = new SortedSet<int>();
        foreach (var part in text.Trim().Split(','))
        {
            var bounds = part.Split('-');
            if (bounds.Length > 2 || !bounds.All(b => b.Length > 0 && b.All(char.IsAsciiDigit) && b.Length <= 6)) return null;
            var first = int.Parse(bounds[0], CultureInfo.InvariantCulture);
            var last = int.Parse(bounds[^1], CultureInfo.InvariantCulture);
            if (last < first) return null;
            for (var cpu = first; cpu <= last; cpu++) cpus.Add(cpu);
        }
        return cpus;
    }

    /// <summary>Refuses a list that is not in the syntax or names a CPU that is not online, saying which ones are.</summary>
    /// <param name="online">the online CPUs, as the kernel lists them (e.g. "0-1").</param>
    public static void Check(string requested, string online)
    {
        online = online.Trim();
        var cpus = Parse(requested)
            ?? throw new InvalidInputException($"invalid --cpuset-cpus \"{requested}\": give CPU numbers and ranges such as 0-1 or 0,1 (the online CPUs here are {online})");
        var available = Parse(online) ?? [];
        var missing = cpus.Where(c => !available.Contains(c)).ToList();
        if (missing.Count > 0)
            throw new InvalidInputException($"--cpuset-cpus {requested}: CPU {string.Join(",", missing.Take(5))} is not available; choose among the online CPUs {online}");
    }
}
