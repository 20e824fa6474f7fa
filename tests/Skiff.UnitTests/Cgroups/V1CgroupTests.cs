using Skiff.Linux;
using Skiff.Linux.Cgroups;
using Skiff.Runtime.Cgroups;
using Skiff.Runtime.Spec;

namespace Skiff.UnitTests.Cgroups;

public sealed class V1CgroupTests : IDisposable
{
    private const string Unlimited = "9223372036854771712";
    private const long MiB = 1024 * 1024;

    private readonly FakeCgroupTree tree = new();

    public void Dispose() => tree.Dispose();

    // One hierarchy per controller, as on the development machine; options vary what the kernel offers.
    private CgroupLayout V1Tree(bool swapAccounting = true, bool hybrid = false, string? blkioWeightFile = "blkio.weight", bool coMountCpu = false)
    {
        var mounts = new Dictionary<string, string>();
        Dictionary<string, string> Files(params string[] pairs) =>
            Enumerable.Range(0, pairs.Length / 2).ToDictionary(i => pairs[2 * i], i => pairs[2 * i + 1]);

        var memory = Files("memory.limit_in_bytes", Unlimited, "memory.soft_limit_in_bytes", Unlimited,
            "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n", "memory.failcnt", "0", "memory.swappiness", "60");
        if (swapAccounting) memory["memory.memsw.limit_in_bytes"] = Unlimited;
        mounts["memory"] = tree.AddV1("memory", memory, memory);

        var cpu = Files("cpu.shares", "1024", "cpu.cfs_period_us", "100000", "cpu.cfs_quota_us", "-1");
        if (coMountCpu)
        {
            mounts["cpu"] = mounts["cpuacct"] = tree.AddV1("cpu,cpuacct", cpu, cpu);
        }
        else
        {
            mounts["cpu"] = tree.AddV1("cpu", cpu, cpu);
            mounts["cpuacct"] = tree.AddV1("cpuacct", [], []);
        }
        mounts["cpuset"] = tree.AddV1("cpuset", Files("cpuset.cpus", "0-1\n", "cpuset.mems", "0\n"), Files("cpuset.cpus", "\n", "cpuset.mems", "\n"));
        mounts["pids"] = tree.AddV1("pids", [], Files("pids.max", "max"));
        var blkio = Files("blkio.throttle.read_bps_device", "", "blkio.throttle.write_bps_device", "",
            "blkio.throttle.read_iops_device", "", "blkio.throttle.write_iops_device", "");
        if (blkioWeightFile is not null) blkio[blkioWeightFile] = "100";
        mounts["blkio"] = tree.AddV1("blkio", blkio, blkio);
        mounts["devices"] = tree.AddV1("devices", [], []);
        mounts["freezer"] = tree.AddV1("freezer", [], []);
        mounts["name=systemd"] = tree.AddV1("systemd", [], []);
        var unified = hybrid ? tree.AddV2("unified", "hugetlb") : null;
        return new CgroupLayout(hybrid ? CgroupMode.Hybrid : CgroupMode.V1, mounts, unified);
    }

    private IContainerCgroup Create(CgroupLayout layout, LinuxResources? resources, string parent = "skiff", string name = "c1") =>
        ContainerCgroup.Create(tree, layout, parent, name, resources, TimeSpan.FromMilliseconds(300));

    private string Dir(string hierarchy, string path = "skiff/c1") => Path.Join(tree.Root, hierarchy, path);

    [Fact]
    public void V1_container_gets_a_directory_in_every_hierarchy_skiff_uses_but_not_in_named_ones()
    {
        var cgroup = Create(V1Tree(), null);

        string[] used = ["cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "devices", "freezer"];
        Assert.Equal(used.Select(h => Dir(h)), cgroup.Paths);
        Assert.All(cgroup.Paths, p => Assert.True(Directory.Exists(p)));
        Assert.False(Directory.Exists(Dir("systemd", "skiff")));
    }

    [Fact]
    public void V1_co_mounted_cpu_and_cpuacct_get_one_directory()
    {
        var cgroup = Create(V1Tree(coMountCpu: true), new LinuxResources { Cpu = new CpuResources { Shares = 512 } });

        Assert.Single(cgroup.Paths, p => p.Contains("cpu,cpuacct"));
        Assert.Equal("512", tree.Content(Path.Join(Dir("cpu,cpuacct"), "cpu.shares")));
    }

    [Fact]
    public void V1_memory_limit_is_written_before_memsw_when_lowering_from_unlimited()
    {
        Create(V1Tree(), new LinuxResources { Memory = new MemoryResources { Limit = 64 * MiB, Swap = 128 * MiB, Reservation = 32 * MiB } });

        Assert.Equal(
            ["memory.limit_in_bytes=67108864", "memory.memsw.limit_in_bytes=134217728", "memory.soft_limit_in_bytes=33554432"],
            tree.WritesIn(Dir("memory")));
    }

    [Fact]
    public void V1_unlimited_swap_is_written_before_the_memory_limit()
    {
        Create(V1Tree(), new LinuxResources { Memory = new MemoryResources { Limit = 64 * MiB, Swap = -1 } });

        Assert.Equal(["memory.memsw.limit_in_bytes=-1", "memory.limit_in_bytes=67108864"], tree.WritesIn(Dir("memory")));
    }

    [Fact]
    public void V1_swappiness_and_a_disabled_oom_killer_are_written_and_an_unset_swappiness_is_left_alone()
    {
        Create(V1Tree(), new LinuxResources { Memory = new MemoryResources { Swappiness = 30, DisableOomKiller = true } });
        Assert.Equal(["memory.swappiness=30", "memory.oom_control=1"], tree.WritesIn(Dir("memory")));

        var refused = Assert.Throws<CgroupException>(() => Create(V1Tree(), new LinuxResources { Memory = new MemoryResources { Swappiness = 101 } }, name: "c2"));
        Assert.Contains("swappiness 101 is out of range", refused.Message);
    }

    [Fact]
    public void V1_memory_limit_without_swap_leaves_memsw_alone()
    {
        Create(V1Tree(), new LinuxResources { Memory = new MemoryResources { Limit = 64 * MiB } });

        Assert.Equal(["memory.limit_in_bytes=67108864"], tree.WritesIn(Dir("memory")));
    }

    [Fact]
    public void V1_swap_is_ignored_with_a_warning_without_swap_accounting()
    {
        var cgroup = Create(V1Tree(swapAccounting: false), new LinuxResources { Memory = new MemoryResources { Limit = 64 * MiB, Swap = 128 * MiB } });

        Assert.Equal(["memory.limit_in_bytes=67108864"], tree.WritesIn(Dir("memory")));
        Assert.Contains(cgroup.Warnings, w => w.Contains("swap"));
    }

    [Fact]
    public void V1_cpu_shares_period_and_quota_are_written_period_before_quota()
    {
        Create(V1Tree(), new LinuxResources { Cpu = new CpuResources { Shares = 512, Quota = 50000, Period = 100000 } });

        Assert.Equal(["cpu.shares=512", "cpu.cfs_period_us=100000", "cpu.cfs_quota_us=50000"], tree.WritesIn(Dir("cpu")));
    }

    [Fact]
    public void V1_cpuset_is_copied_from_the_parent_into_the_new_parent_and_the_container()
    {
        Create(V1Tree(), null);

        Assert.Equal(["cpuset.cpus=0-1", "cpuset.mems=0"], tree.WritesIn(Dir("cpuset", "skiff")));
        Assert.Equal(["cpuset.cpus=0-1", "cpuset.mems=0"], tree.WritesIn(Dir("cpuset")));
    }

    [Fact]
    public void V1_cpuset_from_the_resources_replaces_the_parents_values()
    {
        Create(V1Tree(), new LinuxResources { Cpu = new CpuResources { Cpus = "1", Mems = "0" } });

        Assert.Equal(["cpuset.cpus=1", "cpuset.mems=0"], tree.WritesIn(Dir("cpuset")));
    }

    [Fact]
    public void V1_existing_parent_with_its_cpuset_filled_is_not_rewritten()
    {
        var layout = V1Tree();
        Create(layout, null, name: "first");
        tree.Writes.Clear();

        Create(layout, null, name: "second");

        Assert.Empty(tree.WritesIn(Dir("cpuset", "skiff")));
        Assert.Equal(["cpuset.cpus=0-1", "cpuset.mems=0"], tree.WritesIn(Dir("cpuset", "skiff/second")));
    }

    [Theory]
    [InlineData(20, "20")]
    [InlineData(0, "max")]
    [InlineData(-1, "max")]
    public void V1_pids_limit_zero_or_below_means_max(long limit, string expected)
    {
        Create(V1Tree(), new LinuxResources { Pids = new PidsResources(limit) });

        Assert.Equal([$"pids.max={expected}"], tree.WritesIn(Dir("pids")));
    }

    [Fact]
    public void V1_blkio_weight_and_throttles_are_written_one_device_per_write()
    {
        Create(V1Tree(), new LinuxResources
        {
            BlockIO = new BlockIoResources
            {
                Weight = 300,
                ThrottleReadBpsDevice = [new ThrottleDevice(8, 0, 1048576), new ThrottleDevice(8, 16, 2097152)],
                ThrottleWriteIOPSDevice = [new ThrottleDevice(254, 0, 100)],
            },
        });

        Assert.Equal(
            ["blkio.weight=300", "blkio.throttle.read_bps_device=8:0 1048576", "blkio.throttle.read_bps_device=8:16 2097152",
             "blkio.throttle.write_iops_device=254:0 100"],
            tree.WritesIn(Dir("blkio")));
    }

    [Fact]
    public void V1_blkio_weight_goes_to_bfq_weight_when_that_is_the_only_weight_file()
    {
        Create(V1Tree(blkioWeightFile: "blkio.bfq.weight"), new LinuxResources { BlockIO = new BlockIoResources { Weight = 300 } });

        Assert.Equal(["blkio.bfq.weight=300"], tree.WritesIn(Dir("blkio")));
    }

    [Fact]
    public void V1_blkio_weight_is_ignored_with_a_warning_when_no_weight_file_exists()
    {
        var cgroup = Create(V1Tree(blkioWeightFile: null), new LinuxResources { BlockIO = new BlockIoResources { Weight = 300 } });

        Assert.Empty(tree.WritesIn(Dir("blkio")));
        Assert.Contains(cgroup.Warnings, w => w.Contains("weight"));
    }

    [Fact]
    public void Hybrid_also_joins_the_unified_hierarchy_without_enabling_controllers()
    {
        var cgroup = Create(V1Tree(hybrid: true), new LinuxResources { Memory = new MemoryResources { Limit = 64 * MiB } });
        cgroup.AddProcess(4242);

        Assert.Contains(Dir("unified"), cgroup.Paths);
        Assert.Equal("", tree.Content(Path.Join(tree.Root, "unified", "cgroup.subtree_control")));
        Assert.Equal([4242], tree.Procs(Dir("unified")));
        Assert.Equal("67108864", tree.Content(Path.Join(Dir("memory"), "memory.limit_in_bytes")));
    }

    [Fact]
    public void Hybrid_with_a_unified_mount_it_may_not_write_to_still_applies_the_limits_and_warns()
    {
        var layout = V1Tree(hybrid: true);
        tree.ReadOnlyMounts.Add(layout.UnifiedMount!);

        var cgroup = Create(layout, new LinuxResources { Pids = new PidsResources(20) });

        Assert.DoesNotContain(cgroup.Paths, p => p.Contains("unified"));
        Assert.Contains(cgroup.Warnings, w => w.Contains("unified") && w.Contains("Permission denied"));
        Assert.Equal("20", tree.Content(Path.Join(Dir("pids"), "pids.max")));
    }

    [Fact]
    public void AddProcess_writes_the_pid_into_every_hierarchy()
    {
        var cgroup = Create(V1Tree(), null);

        cgroup.AddProcess(4242);

        Assert.All(cgroup.Paths, p => Assert.Equal([4242], tree.Procs(p)));
    }

    [Fact]
    public void A_rejected_value_fails_naming_file_value_and_errno_and_leaves_nothing_behind()
    {
        var layout = V1Tree();
        tree.FailingWrites["pids.max"] = Skiff.Linux.Errno.EINVAL;

        var e = Assert.Throws<CgroupException>(() => Create(layout, new LinuxResources { Pids = new PidsResources(20) }));

        Assert.Equal(Path.Join(Dir("pids"), "pids.max"), e.Path);
        Assert.Contains("\"20\"", e.Message);
        Assert.Contains("Invalid argument", e.Message);
        Assert.All(layout.V1Mounts.Values, m => Assert.False(Directory.Exists(Path.Join(m, "skiff"))));
    }

    [Fact]
    public void A_failure_keeps_a_parent_that_already_existed()
    {
        var layout = V1Tree();
        Create(layout, null, name: "other");
        tree.FailingWrites["pids.max"] = Skiff.Linux.Errno.EINVAL;

        Assert.Throws<CgroupException>(() => Create(layout, new LinuxResources { Pids = new PidsResources(20) }));

        Assert.True(Directory.Exists(Dir("pids", "skiff/other")));
        Assert.False(Directory.Exists(Dir("pids")));
    }

    [Fact]
    public void A_limit_for_a_controller_that_is_not_mounted_is_an_error()
    {
        var layout = V1Tree();
        layout = layout with { V1Mounts = layout.V1Mounts.Where(m => m.Key != "pids").ToDictionary() };

        var e = Assert.Throws<CgroupException>(() => Create(layout, new LinuxResources { Pids = new PidsResources(20) }));

        Assert.Contains("pids", e.Message);
        Assert.False(Directory.Exists(Dir("memory")));
    }

    [Fact]
    public void Creating_a_container_whose_cgroup_already_exists_fails()
    {
        var layout = V1Tree();
        Create(layout, null);

        var e = Assert.Throws<CgroupException>(() => Create(layout, null));

        Assert.Contains("already exists", e.Message);
        Assert.True(Directory.Exists(Dir("memory")));
    }

    [Theory]
    [InlineData("skiff", "..")]
    [InlineData("skiff", "a/b")]
    [InlineData("../etc", "c1")]
    [InlineData("skiff", "")]
    public void Names_that_would_leave_the_parent_are_rejected(string parent, string name)
    {
        Assert.Throws<InvalidInputException>(() => Create(V1Tree(), null, parent, name));
    }

    [Fact]
    public void Destroy_kills_what_is_left_and_removes_the_directories_and_a_parent_of_its_own()
    {
        var cgroup = Create(V1Tree(), null, parent: "custom/parent");
        cgroup.AddProcess(4242);
        tree.Spawn(Dir("memory", "custom/parent/c1"), 4243);

        cgroup.Destroy();

        Assert.Contains(4242, tree.Killed);
        Assert.Contains(4243, tree.Killed);
        Assert.All(cgroup.Paths, p => Assert.False(Directory.Exists(p)));
        Assert.False(Directory.Exists(Dir("memory", "custom")));
    }

    [Fact]
    public void A_parent_removed_by_its_last_container_while_another_is_created_in_it_is_made_again()
    {
        var layout = V1Tree();
        var removed = false;
        // The other container's Destroy empties and removes the parent just before our leaf's mkdir.
        tree.BeforeMakeDirectory = path =>
        {
            if (removed || !path.EndsWith("/custom/c1", StringComparison.Ordinal)) return;
            removed = true;
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        };

        var cgroup = Create(layout, null, parent: "custom");

        Assert.True(removed);
        Assert.All(cgroup.Paths, p => Assert.True(Directory.Exists(p)));
    }

    [Fact]
    public void Destroy_leaves_the_engine_s_own_parent_as_standing_state()
    {
        var cgroup = Create(V1Tree(), null);

        cgroup.Destroy();

        Assert.All(cgroup.Paths, p => Assert.False(Directory.Exists(p)));
        Assert.True(Directory.Exists(Dir("memory", "skiff")));
    }

    [Fact]
    public void Destroy_keeps_a_parent_that_another_container_still_uses()
    {
        var layout = V1Tree();
        var first = Create(layout, null, name: "first");
        Create(layout, null, name: "second");

        first.Destroy();

        Assert.False(Directory.Exists(Dir("memory", "skiff/first")));
        Assert.True(Directory.Exists(Dir("memory", "skiff/second")));
    }

    [Fact]
    public void Destroy_twice_is_harmless()
    {
        var cgroup = Create(V1Tree(), null);

        cgroup.Destroy();
        cgroup.Destroy();

        Assert.False(Directory.Exists(Dir("memory", "skiff/c1")));
    }

    [Fact]
    public void Destroy_gives_up_after_its_timeout_naming_the_process_that_would_not_die()
    {
        var cgroup = Create(V1Tree(), null);
        cgroup.AddProcess(4242);
        tree.Unkillable.Add(4242);

        var e = Assert.Throws<CgroupException>(cgroup.Destroy);

        Assert.Contains("4242", e.Message);
        Assert.Contains("busy", e.Message);
    }

    [Theory]
    [InlineData("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n", "0", true)]
    [InlineData("oom_kill_disable 0\nunder_oom 1\noom_kill 0\n", "7", false)]
    [InlineData("oom_kill_disable 0\nunder_oom 1\n", "7", true)]
    [InlineData("oom_kill_disable 0\nunder_oom 1\n", "0", false)]
    [InlineData("oom_kill_disable 0\nunder_oom 0\n", "7", false)]
    public void V1_oom_kill_counter_decides_and_failcnt_is_only_the_fallback_of_old_kernels(string oomControl, string failcnt, bool killed)
    {
        var cgroup = Create(V1Tree(), null);
        File.WriteAllText(Path.Join(Dir("memory"), "memory.oom_control"), oomControl);
        File.WriteAllText(Path.Join(Dir("memory"), "memory.failcnt"), failcnt);

        Assert.Equal(killed, cgroup.OomKilled());
    }
}
