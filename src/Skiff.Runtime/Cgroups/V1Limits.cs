using System.Globalization;
using Skiff.Linux.Cgroups;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Cgroups;

// Writes an OCI LinuxResources into cgroup v1 files, one hierarchy per controller.
internal static class V1Limits
{
    /// <param name="dirs">Controller name to the container's directory in that controller's hierarchy.</param>
    public static void Apply(ICgroupFs fs, IReadOnlyDictionary<string, string> dirs, LinuxResources resources, List<string> warnings)
    {
        if (resources.Memory is { } memory) ApplyMemory(fs, Require(dirs, "memory"), memory, warnings);
        if (resources.Cpu is { } cpu) ApplyCpu(fs, dirs, cpu);
        if (resources.Pids is { } pids) fs.WriteFile(Require(dirs, "pids"), "pids.max", PidsMax(pids.Limit));
        if (resources.BlockIO is { } blockIo) ApplyBlockIo(fs, Require(dirs, "blkio"), blockIo, warnings);
        if (resources.Devices is { Count: > 0 } devices && dirs.TryGetValue("devices", out var devicesDir))
            foreach (var rule in devices)
                fs.WriteFile(devicesDir, rule.Allow ? "devices.allow" : "devices.deny", DeviceRuleLine(rule));
    }

    /// <summary>The device cgroup's line for one rule: "c 1:3 rwm", with "a" and "*" where the spec leaves a field out.</summary>
    internal static string DeviceRuleLine(DeviceRule rule)
    {
        static string Number(long? n) => n is { } v && v >= 0 ? v.ToString(CultureInfo.InvariantCulture) : "*";
        var type = rule.Type is { Length: > 0 } t ? t : "a";
        return type == "a" && rule.Major is null && rule.Minor is null
            ? $"a *:* {rule.Access ?? "rwm"}"
            : $"{type} {Number(rule.Major)}:{Number(rule.Minor)} {rule.Access ?? "rwm"}";
    }

    private static void ApplyMemory(ICgroupFs fs, string dir, MemoryResources memory, List<string> warnings)
    {
        var swap = memory.Swap;
        if (swap is not null && !fs.FileExists(Path.Join(dir, "memory.memsw.limit_in_bytes")))
        {
            warnings.Add("swap limit ignored: this kernel has no swap accounting (memory.memsw.limit_in_bytes is missing)");
            swap = null;
        }

        if (memory.Limit is { } limit && swap is { } memsw)
        {
            // The kernel refuses any state where memsw < limit, so the order depends on where
            // the limit stands now: lowering it goes first, raising it needs memsw raised first.
            var current = long.Parse(fs.ReadFile(dir, "memory.limit_in_bytes").Trim(), CultureInfo.InvariantCulture);
            if (memsw == -1 || current < memsw)
            {
                WriteBytes(fs, dir, "memory.memsw.limit_in_bytes", memsw);
                WriteBytes(fs, dir, "memory.limit_in_bytes", limit);
            }
            else
            {
                WriteBytes(fs, dir, "memory.limit_in_bytes", limit);
                WriteBytes(fs, dir, "memory.memsw.limit_in_bytes", memsw);
            }
        }
        else if (memory.Limit is { } onlyLimit)
        {
            WriteBytes(fs, dir, "memory.limit_in_bytes", onlyLimit);
        }
        else if (swap is { } onlySwap)
        {
            WriteBytes(fs, dir, "memory.memsw.limit_in_bytes", onlySwap);
        }

        if (memory.Reservation is { } reservation) WriteBytes(fs, dir, "memory.soft_limit_in_bytes", reservation);
        if (memory.Swappiness is { } swappiness and not ulong.MaxValue)
            fs.WriteFile(dir, "memory.swappiness", swappiness <= 100
                ? swappiness.ToString(CultureInfo.InvariantCulture)
                : throw new CgroupException(dir, $"cgroup: memory swappiness {swappiness} is out of range: give 0 to 100"));
        if (memory.DisableOomKiller is true) fs.WriteFile(dir, "memory.oom_control", "1");
    }

    // v1 memory files take -1 for "unlimited", like the OCI spec.
    private static void WriteBytes(ICgroupFs fs, string dir, string file, long value) =>
        fs.WriteFile(dir, file, value < 0 ? "-1" : value.ToString(CultureInfo.InvariantCulture));

    private static void ApplyCpu(ICgroupFs fs, IReadOnlyDictionary<string, string> dirs, CpuResources cpu)
    {
        if (cpu.Shares is { } shares and not 0) fs.WriteFile(Require(dirs, "cpu"), "cpu.shares", shares.ToString(CultureInfo.InvariantCulture));
        // The period first: the kernel checks the quota against the period in force.
        if (cpu.Period is { } period) fs.WriteFile(Require(dirs, "cpu"), "cpu.cfs_period_us", period.ToString(CultureInfo.InvariantCulture));
        if (cpu.Quota is { } quota and not 0)
            fs.WriteFile(Require(dirs, "cpu"), "cpu.cfs_quota_us", quota < 0 ? "-1" : quota.ToString(CultureInfo.InvariantCulture));
        // cpuset.cpus and cpuset.mems are written when the directory is created: v1 needs them before any task joins.
        if ((cpu.Cpus is not null || cpu.Mems is not null) && !dirs.ContainsKey("cpuset"))
            throw Missing("cpuset");
    }

    private static void ApplyBlockIo(ICgroupFs fs, string dir, BlockIoResources blockIo, List<string> warnings)
    {
        if (blockIo.Weight is { } weight)
        {
            // CFQ's blkio.weight is gone since 5.0; with BFQ the file is blkio.bfq.weight, and
            // without a proportional scheduler there is nothing to write.
            var file = new[] { "blkio.weight", "blkio.bfq.weight" }.FirstOrDefault(f => fs.FileExists(Path.Join(dir, f)));
            if (file is null) warnings.Add("block I/O weight ignored: neither blkio.weight nor blkio.bfq.weight exists");
            else fs.WriteFile(dir, file, weight.ToString(CultureInfo.InvariantCulture));
        }

        WriteThrottle(fs, dir, "blkio.throttle.read_bps_device", blockIo.ThrottleReadBpsDevice);
        WriteThrottle(fs, dir, "blkio.throttle.write_bps_device", blockIo.ThrottleWriteBpsDevice);
        WriteThrottle(fs, dir, "blkio.throttle.read_iops_device", blockIo.ThrottleReadIOPSDevice);
        WriteThrottle(fs, dir, "blkio.throttle.write_iops_device", blockIo.ThrottleWriteIOPSDevice);
    }

    // The kernel parses one "MAJ:MIN RATE" per write.
    private static void WriteThrottle(ICgroupFs fs, string dir, string file, List<ThrottleDevice>? devices)
    {
        foreach (var d in devices ?? [])
            fs.WriteFile(dir, file, string.Create(CultureInfo.InvariantCulture, $"{d.Major}:{d.Minor} {d.Rate}"));
    }

    internal static string PidsMax(long limit) => limit <= 0 ? "max" : limit.ToString(CultureInfo.InvariantCulture);

    private static string Require(IReadOnlyDictionary<string, string> dirs, string controller) =>
        dirs.TryGetValue(controller, out var dir) ? dir : throw Missing(controller);

    private static CgroupException Missing(string controller) =>
        new("", $"cgroup: a {controller} limit was requested but no {controller} cgroup hierarchy is mounted");
}
