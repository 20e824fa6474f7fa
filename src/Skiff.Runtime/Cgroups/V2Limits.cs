using System.Globalization;
using Skiff.Linux.Cgroups;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Cgroups;

// Writes an OCI LinuxResources (whose numbers are cgroup v1's) into cgroup v2 files, converting as runc does.
internal static class V2Limits
{
    public static void Apply(ICgroupFs fs, string dir, LinuxResources resources, List<string> warnings)
    {
        if (resources.Memory is { } memory) ApplyMemory(fs, dir, memory, warnings);
        if (resources.Cpu is { } cpu) ApplyCpu(fs, dir, cpu);
        if (resources.Pids is { } pids) fs.WriteFile(dir, "pids.max", V1Limits.PidsMax(pids.Limit));
        if (resources.BlockIO is { } blockIo) ApplyIo(fs, dir, blockIo, warnings);
    }

    private static void ApplyMemory(ICgroupFs fs, string dir, MemoryResources memory, List<string> warnings)
    {
        if (SwapMax(memory.Swap, memory.Limit, dir) is { } swapMax)
        {
            if (fs.FileExists(Path.Join(dir, "memory.swap.max"))) fs.WriteFile(dir, "memory.swap.max", swapMax);
            else warnings.Add("swap limit ignored: this kernel has no swap accounting (memory.swap.max is missing)");
        }
        if (memory.Limit is { } limit and not 0) fs.WriteFile(dir, "memory.max", Bytes(limit));
        if (memory.Reservation is { } reservation and not 0) fs.WriteFile(dir, "memory.low", Bytes(reservation));
        if (memory.Swappiness is { } swappiness and not ulong.MaxValue)
            warnings.Add($"memory swappiness {swappiness} ignored: cgroup v2 has no swappiness of its own per cgroup");
        if (memory.DisableOomKiller is true) warnings.Add("disableOOMKiller ignored: cgroup v2 cannot turn the OOM killer off for a cgroup");
    }

    /// <summary>
    /// The OCI swap value is memory+swap (v1's memsw); v2's memory.swap.max counts swap alone.
    /// Null when nothing is to be written.
    /// </summary>
    internal static string? SwapMax(long? swap, long? limit, string dir)
    {
        // "memory unlimited, swap unset" means both unlimited, as it does under v1.
        if (limit == -1 && swap is null or 0) return "max";
        if (swap is null or 0) return null;
        if (swap == -1) return "max";
        if (limit is null or 0 or -1)
            throw new CgroupException(dir, "cgroup: a swap limit needs a memory limit under cgroup v2");
        if (limit < 0) throw new CgroupException(dir, $"cgroup: invalid memory limit {limit}");
        if (swap < limit) throw new CgroupException(dir, $"cgroup: memory+swap limit {swap} is below the memory limit {limit}");
        return (swap - limit).Value.ToString(CultureInfo.InvariantCulture);
    }

    private static string Bytes(long value) => value < 0 ? "max" : value.ToString(CultureInfo.InvariantCulture);

    private static void ApplyCpu(ICgroupFs fs, string dir, CpuResources cpu)
    {
        if (cpu.Shares is { } shares and not 0) fs.WriteFile(dir, "cpu.weight", CpuWeight(shares).ToString(CultureInfo.InvariantCulture));
        if (CpuMax(cpu.Quota, cpu.Period) is { } max) fs.WriteFile(dir, "cpu.max", max);
        if (cpu.Cpus is { } cpus) fs.WriteFile(dir, "cpuset.cpus", cpus);
        if (cpu.Mems is { } mems) fs.WriteFile(dir, "cpuset.mems", mems);
    }

    /// <summary>runc's mapping of v1 shares [2, 262144] onto v2 weight [1, 10000]; 1024 (the default) gives 39.</summary>
    internal static ulong CpuWeight(ulong shares)
    {
        var clamped = Math.Clamp(shares, 2UL, 262144UL);
        return 1 + (clamped - 2) * 9999 / 262142;
    }

    // Without a period the kernel keeps the one in force (100 ms unless changed).
    internal static string? CpuMax(long? quota, ulong? period)
    {
        if (quota is null or 0 && period is null or 0) return null;
        var q = quota is > 0 ? quota.Value.ToString(CultureInfo.InvariantCulture) : "max";
        return period is > 0 ? $"{q} {period.Value.ToString(CultureInfo.InvariantCulture)}" : q;
    }

    private static void ApplyIo(ICgroupFs fs, string dir, BlockIoResources blockIo, List<string> warnings)
    {
        if (blockIo.Weight is { } weight)
        {
            var file = new[] { "io.weight", "io.bfq.weight" }.FirstOrDefault(f => fs.FileExists(Path.Join(dir, f)));
            if (file is null) warnings.Add("block I/O weight ignored: neither io.weight nor io.bfq.weight exists");
            else fs.WriteFile(dir, file, $"default {weight.ToString(CultureInfo.InvariantCulture)}");
        }

        WriteMax(fs, dir, "rbps", blockIo.ThrottleReadBpsDevice);
        WriteMax(fs, dir, "wbps", blockIo.ThrottleWriteBpsDevice);
        WriteMax(fs, dir, "riops", blockIo.ThrottleReadIOPSDevice);
        WriteMax(fs, dir, "wiops", blockIo.ThrottleWriteIOPSDevice);
    }

    // io.max keeps the keys a write leaves out, so one key per write is enough.
    private static void WriteMax(ICgroupFs fs, string dir, string key, List<ThrottleDevice>? devices)
    {
        foreach (var d in devices ?? [])
            fs.WriteFile(dir, "io.max", string.Create(CultureInfo.InvariantCulture, $"{d.Major}:{d.Minor} {key}={d.Rate}"));
    }
}
