using Skiff.Engine.Containers;
using Skiff.Runtime.Cgroups;

namespace Skiff.UnitTests.Engine;

public sealed class ContainerStatsTests
{
    [Fact]
    public void Network_traffic_sums_every_interface_but_loopback()
    {
        const string netDev = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0
              eth0:    2048      20    0    0    0     0          0         0      512       5    0    0    0     0       0          0
              eth1:       2       1    0    0    0     0          0         0        3       1    0    0    0     0       0          0
            """;
        Assert.Equal((2050L, 515L), ContainerStats.ParseNetDev(netDev));
    }

    [Fact]
    public void Block_io_is_summed_over_devices_in_both_cgroup_versions()
    {
        Assert.Equal((300L, 40L), CgroupStats.ParseIoStat("8:0 rbytes=100 wbytes=40 rios=1 wios=1 dbytes=0 dios=0\n8:16 rbytes=200 wbytes=0 rios=2 wios=0\n"));
        Assert.Equal((4096L, 8192L), CgroupStats.ParseBlkio("8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Total 12288\nTotal 12288\n"));
    }

    [Theory]
    [InlineData("max\n", null)]
    [InlineData("9223372036854771712\n", null)]
    [InlineData("67108864\n", 67108864L)]
    public void A_memory_limit_of_max_or_v1s_huge_number_means_none(string text, long? expected) =>
        Assert.Equal(expected, CgroupStats.ParseLimit(text));
}
