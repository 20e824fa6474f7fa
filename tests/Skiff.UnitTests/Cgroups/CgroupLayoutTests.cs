using Skiff.Linux.Cgroups;

namespace Skiff.UnitTests.Cgroups;

public sealed class CgroupLayoutTests
{
    // /proc/self/mountinfo of the development machine (kernel 6.18): tmpfs on /sys/fs/cgroup, one
    // v1 hierarchy per controller, systemd's named hierarchy, cgroup2 at .../unified.
    private const string HybridMountinfo = """
        22 27 0:21 / /proc rw,relatime - proc proc rw
        23 27 0:22 / /sys rw,relatime - sysfs sysfs rw
        24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12358300k,nr_inodes=3089575,mode=755
        25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24731708k
        26 24 0:24 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000
        27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    // Debian 12 / current systemd: one cgroup2 mount, nothing else.
    private const string V2Mountinfo = """
        22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
        26 22 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        28 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
        """;

    // CentOS 7 style: shared: optional fields, cpu and cpuacct (and net_cls, net_prio) co-mounted,
    // systemd's hierarchy with xattr and a release agent.
    private const string V1Mountinfo = """
        18 61 0:17 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw
        24 18 0:20 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:7 - tmpfs tmpfs ro,mode=755
        25 24 0:21 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd
        27 24 0:23 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,cpuacct,cpu
        28 24 0:24 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,net_prio,net_cls
        29 24 0:25 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,memory
        30 24 0:26 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpuset
        31 24 0:27 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,pids
        """;

    [Fact]
    public void This_machines_mountinfo_is_hybrid_with_one_v1_hierarchy_per_controller()
    {
        var layout = CgroupLayout.Parse(HybridMountinfo);

        Assert.Equal(CgroupMode.Hybrid, layout.Mode);
        Assert.Equal("/sys/fs/cgroup/unified", layout.UnifiedMount);
        foreach (var controller in new[] { "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids" })
            Assert.Equal($"/sys/fs/cgroup/{controller}", layout.V1Mounts[controller]);
        Assert.Equal("/sys/fs/cgroup/systemd", layout.V1Mounts["name=systemd"]);
        Assert.Equal(9, layout.V1Mounts.Count);
    }

    [Fact]
    public void A_single_cgroup2_mount_is_pure_v2()
    {
        var layout = CgroupLayout.Parse(V2Mountinfo);

        Assert.Equal(CgroupMode.V2, layout.Mode);
        Assert.Equal("/sys/fs/cgroup", layout.UnifiedMount);
        Assert.Empty(layout.V1Mounts);
    }

    [Fact]
    public void Co_mounted_v1_controllers_share_one_mount_point_and_flags_are_not_controllers()
    {
        var layout = CgroupLayout.Parse(V1Mountinfo);

        Assert.Equal(CgroupMode.V1, layout.Mode);
        Assert.Null(layout.UnifiedMount);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", layout.V1Mounts["cpu"]);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", layout.V1Mounts["cpuacct"]);
        Assert.Equal("/sys/fs/cgroup/net_cls,net_prio", layout.V1Mounts["net_prio"]);
        Assert.Equal("/sys/fs/cgroup/systemd", layout.V1Mounts["name=systemd"]);
        Assert.DoesNotContain("xattr", layout.V1Mounts.Keys);
        Assert.DoesNotContain("rw", layout.V1Mounts.Keys);
        Assert.Equal(["cpu", "cpuacct", "cpuset", "memory", "name=systemd", "net_cls", "net_prio", "pids"], layout.V1Mounts.Keys.Order());
    }

    [Fact]
    public void Only_a_named_v1_hierarchy_beside_cgroup2_is_still_v2()
    {
        var layout = CgroupLayout.Parse(V2Mountinfo + "\n40 26 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n");

        Assert.Equal(CgroupMode.V2, layout.Mode);
    }

    [Fact]
    public void A_mount_over_the_cgroup_directory_hides_what_was_mounted_there_before()
    {
        var layout = CgroupLayout.Parse(V2Mountinfo + "\n" + """
            50 26 0:40 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw
            51 50 0:41 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            """);

        Assert.Equal(CgroupMode.V1, layout.Mode);
        Assert.Null(layout.UnifiedMount);
        Assert.Equal("/sys/fs/cgroup/memory", layout.V1Mounts["memory"]);
    }

    [Fact]
    public void Escaped_spaces_in_mount_points_are_decoded()
    {
        var layout = CgroupLayout.Parse(@"26 22 0:25 / /tmp/my\040cgroups rw,relatime - cgroup2 cgroup2 rw");

        Assert.Equal("/tmp/my cgroups", layout.UnifiedMount);
    }

    [Fact]
    public void A_mountinfo_without_cgroups_is_rejected()
    {
        Assert.Throws<InvalidDataException>(() => CgroupLayout.Parse("27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"));
    }
}
