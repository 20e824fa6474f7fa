using System.Globalization;

namespace Skiff.Runtime.Cgroups;

// Reading and freezing an existing group: each controller's files are looked for in whichever of the
// container's directories has them, so one code path serves v1, hybrid and v2.
internal sealed partial class CgroupDirectories
{
    private static readonly TimeSpan FreezeTimeout = TimeSpan.FromSeconds(10);

    public void Freeze() => SetFrozen(true);

    public void Thaw() => SetFrozen(false);

    // The same freezer SetFrozen writes; FREEZING counts, since a freeze only ever completes.
    public bool IsFrozen() =>
        Find("freezer.state") is { } v1 ? fs.ReadFile(v1, "freezer.state").Trim() != "THAWED"
        : Find("cgroup.freeze") is { } v2 && fs.ReadFile(v2, "cgroup.freeze").Trim() == "1";

    public IReadOnlyList<int> Processes() =>
        leaves.Where(fs.DirectoryExists).SelectMany(Procs).Distinct().Order().ToList();

    public CgroupStats ReadStats()
    {
        long usage = 0, cpu = 0, pids = 0;
        long? limit = null;
        if (Find("memory.current") is { } v2Memory)
        {
            usage = Number(v2Memory, "memory.current") - (Counter(fs.ReadFile(v2Memory, "memory.stat"), "inactive_file") ?? 0);
            limit = CgroupStats.ParseLimit(fs.ReadFile(v2Memory, "memory.max"));
        }
        else if (Find("memory.usage_in_bytes") is { } v1Memory)
        {
            usage = Number(v1Memory, "memory.usage_in_bytes") - (Counter(fs.ReadFile(v1Memory, "memory.stat"), "total_inactive_file") ?? 0);
            limit = CgroupStats.ParseLimit(fs.ReadFile(v1Memory, "memory.limit_in_bytes"));
        }
        if (Find("cpu.stat") is { } v2Cpu && Counter(fs.ReadFile(v2Cpu, "cpu.stat"), "usage_usec") is { } usec)
            cpu = usec * 1000;
        else if (Find("cpuacct.usage") is { } v1Cpu)
            cpu = Number(v1Cpu, "cpuacct.usage");
        if (Find("pids.current") is { } pidsDir)
            pids = Number(pidsDir, "pids.current");
        var (read, write) = Find("io.stat") is { } io ? CgroupStats.ParseIoStat(fs.ReadFile(io, "io.stat"))
            : Find("blkio.throttle.io_service_bytes") is { } blkio ? CgroupStats.ParseBlkio(fs.ReadFile(blkio, "blkio.throttle.io_service_bytes"))
            : (0, 0);
        return new CgroupStats(Math.Max(usage, 0), limit, cpu, pids, read, write);
    }

    private void SetFrozen(bool frozen)
    {
        // v1's freezer first: on a hybrid host the unified directory has cgroup.freeze too, but the
        // processes' freezer controller is the v1 one.
        if (Find("freezer.state") is { } v1)
        {
            fs.WriteFile(v1, "freezer.state", frozen ? "FROZEN" : "THAWED");
            WaitUntil(() => fs.ReadFile(v1, "freezer.state").Trim() == (frozen ? "FROZEN" : "THAWED"), v1);
        }
        else if (Find("cgroup.freeze") is { } v2)
        {
            fs.WriteFile(v2, "cgroup.freeze", frozen ? "1" : "0");
            WaitUntil(() => Counter(fs.ReadFile(v2, "cgroup.events"), "frozen") == (frozen ? 1 : 0), v2);
        }
        else
        {
            throw new CgroupException(leaves.FirstOrDefault() ?? "", "cgroup: no freezer: neither a v1 freezer hierarchy nor cgroup v2's cgroup.freeze is available");
        }
    }

    // Freezing is asynchronous: the kernel reports FREEZING until every task has stopped.
    private void WaitUntil(Func<bool> done, string dir)
    {
        var deadline = DateTime.UtcNow + FreezeTimeout;
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
                throw new CgroupException(dir, $"cgroup: {dir} did not reach the requested freezer state within {FreezeTimeout.TotalSeconds:0} s");
            Thread.Sleep(5);
        }
    }

    private string? Find(string file) => leaves.FirstOrDefault(l => fs.FileExists(Path.Join(l, file)));

    private long Number(string dir, string file) =>
        long.Parse(fs.ReadFile(dir, file).Trim(), CultureInfo.InvariantCulture);
}
