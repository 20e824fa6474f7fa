using Skiff.Linux.Cgroups;
using Skiff.Runtime.Cgroups;
using Skiff.Runtime.Spec;

namespace Skiff.UnitTests.Cgroups;

public sealed class V2CgroupTests : IDisposable
{
    private const long MiB = 1024 * 1024;

    private readonly FakeCgroupTree tree = new();
    private readonly CgroupLayout layout;

    public V2CgroupTests()
    {
        var unified = tree.AddV2("cgroup", "cpuset cpu io memory hugetlb pids rdma misc");
        layout = new CgroupLayout(CgroupMode.V2, new Dictionary<string, string>(), unified);
    }

    public void Dispose() => tree.Dispose();

    private IContainerCgroup Create(LinuxResources? resources, string name = "c1") =>
        ContainerCgroup.Create(tree, layout, "skiff", name, resources, TimeSpan.FromMilliseconds(300));

    private string Dir(string path = "skiff/c1") => Path.Join(tree.Root, "cgroup", path);

    [Fact]
    public void V2_enables_the_controllers_skiff_uses_in_the_root_and_the_parent()
    {
        var cgroup = Create(null);

        Assert.Equal([Dir()], cgroup.Paths);
        Assert.Equal(["cgroup.subtree_control=+cpu +cpuset +memory +pids +io"], tree.WritesIn(Dir("")));
        Assert.Equal(["cgroup.subtree_control=+cpu +cpuset +memory +pids +io"], tree.WritesIn(Dir("skiff")));
        Assert.Equal("cpu cpuset memory pids io", tree.Content(Path.Join(Dir(), "cgroup.controllers")));
    }

    [Fact]
    public void V2_only_enables_controllers_the_parent_offers()
    {
        File.WriteAllText(Path.Join(Dir(""), "cgroup.controllers"), "memory pids");

        Create(null);

        Assert.Equal(["cgroup.subtree_control=+memory +pids"], tree.WritesIn(Dir("")));
    }

    [Theory]
    [InlineData(2UL, "1")]
    [InlineData(1024UL, "39")]
    [InlineData(512UL, "20")]
    [InlineData(262144UL, "10000")]
    public void V2_cpu_shares_are_converted_to_weight_as_runc_does(ulong shares, string weight)
    {
        Create(new LinuxResources { Cpu = new CpuResources { Shares = shares } });

        Assert.Equal([$"cpu.weight={weight}"], tree.WritesIn(Dir()));
    }

    [Theory]
    [InlineData(50000L, 100000UL, "50000 100000")]
    [InlineData(null, 100000UL, "max 100000")]
    [InlineData(-1L, 250000UL, "max 250000")]
    [InlineData(25000L, null, "25000")]
    public void V2_cpu_max_is_quota_and_period_with_max_for_no_quota(long? quota, ulong? period, string expected)
    {
        Create(new LinuxResources { Cpu = new CpuResources { Quota = quota, Period = period } });

        Assert.Equal([$"cpu.max={expected}"], tree.WritesIn(Dir()));
    }

    [Fact]
    public void V2_cpuset_is_written_only_when_requested()
    {
        Create(new LinuxResources { Cpu = new CpuResources { Cpus = "0", Mems = "0" } });

        Assert.Equal(["cpuset.cpus=0", "cpuset.mems=0"], tree.WritesIn(Dir()));
    }

    [Fact]
    public void V2_swap_max_is_the_oci_swap_minus_the_memory_limit()
    {
        Create(new LinuxResources { Memory = new MemoryResources { Limit = 64 * MiB, Swap = 128 * MiB, Reservation = 32 * MiB } });

        Assert.Equal(["memory.swap.max=67108864", "memory.max=67108864", "memory.low=33554432"], tree.WritesIn(Dir()));
    }

    [Fact]
    public void V2_unlimited_swap_and_memory_are_max()
    {
        Create(new LinuxResources { Memory = new MemoryResources { Limit = -1, Swap = -1 } });

        Assert.Equal(["memory.swap.max=max", "memory.max=max"], tree.WritesIn(Dir()));
    }

    [Fact]
    public void V2_swap_below_the_memory_limit_is_rejected_and_nothing_is_left()
    {
        var e = Assert.Throws<CgroupException>(() => Create(new LinuxResources { Memory = new MemoryResources { Limit = 128 * MiB, Swap = 64 * MiB } }));

        Assert.Contains("below the memory limit", e.Message);
        Assert.False(Directory.Exists(Dir("skiff")));
    }

    [Fact]
    public void V2_swappiness_and_a_disabled_oom_killer_are_warned_about_not_written()
    {
        var cgroup = Create(new LinuxResources { Memory = new MemoryResources { Swappiness = 30, DisableOomKiller = true } });

        Assert.Empty(tree.WritesIn(Dir()));
        Assert.Contains(cgroup.Warnings, w => w.Contains("swappiness"));
        Assert.Contains(cgroup.Warnings, w => w.Contains("disableOOMKiller"));
    }

    [Fact]
    public void V2_swap_is_ignored_with_a_warning_without_swap_accounting()
    {
        tree.V2ControllerFiles["memory"] = ["memory.max", "memory.low", "memory.events"];

        var cgroup = Create(new LinuxResources { Memory = new MemoryResources { Limit = 64 * MiB, Swap = 128 * MiB } });

        Assert.Equal(["memory.max=67108864"], tree.WritesIn(Dir()));
        Assert.Contains(cgroup.Warnings, w => w.Contains("swap"));
    }

    [Fact]
    public void V2_pids_and_io_limits_use_the_v2_formats()
    {
        Create(new LinuxResources
        {
            Pids = new PidsResources(20),
            BlockIO = new BlockIoResources
            {
                Weight = 300,
                ThrottleReadBpsDevice = [new ThrottleDevice(8, 0, 1048576)],
                ThrottleWriteIOPSDevice = [new ThrottleDevice(8, 0, 100)],
            },
        });

        Assert.Equal(["pids.max=20", "io.weight=default 300", "io.max=8:0 rbps=1048576", "io.max=8:0 wiops=100"], tree.WritesIn(Dir()));
    }

    [Fact]
    public void V2_oom_kill_in_memory_events_means_oom_killed()
    {
        var cgroup = Create(null);
        Assert.False(cgroup.OomKilled());

        File.WriteAllText(Path.Join(Dir(), "memory.events"), "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n");

        Assert.True(cgroup.OomKilled());
    }

    [Fact]
    public void V2_destroy_kills_through_cgroup_kill_and_removes_the_container_s_directory()
    {
        var cgroup = Create(null);
        cgroup.AddProcess(4242);

        cgroup.Destroy();

        Assert.Contains((Path.Join(Dir(), "cgroup.kill"), "1"), tree.Writes);
        Assert.False(Directory.Exists(Dir()));
        Assert.True(Directory.Exists(Dir("skiff")));
    }
}
