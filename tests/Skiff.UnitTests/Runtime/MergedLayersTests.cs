using Skiff.Linux;
using Skiff.Runtime.Rootfs;
using static Skiff.UnitTests.Runtime.RecordingSyscalls;

namespace Skiff.UnitTests.Runtime;

public sealed class MergedLayersTests
{
    [Fact]
    public void Several_layers_are_read_through_a_read_only_overlay_in_a_private_mount_namespace()
    {
        var sys = new RecordingSyscalls("/nonexistent");
        string? seen = null;
        var callsWhenRead = 0;

        MergedLayers.Read(sys, ["/layers/base", "/layers/top"], merged =>
        {
            seen = merged;
            callsWhenRead = sys.Calls.Count;
        });

        Assert.Equal(3, callsWhenRead);
        Assert.Equal("unshare Mount", sys.Calls[0]);
        Assert.Equal(MountLine(null, "/", null, MountFlags.Private | MountFlags.Recursive, null), sys.Calls[1]);
        Assert.Equal(MountLine("overlay", seen!, "overlay", MountFlags.ReadOnly, "lowerdir=/layers/top:/layers/base"), sys.Calls[2]);
        Assert.False(Directory.Exists(seen), "the mount point is removed afterwards");
    }

    [Fact]
    public void A_single_layer_is_read_where_it_is_with_nothing_mounted()
    {
        var sys = new RecordingSyscalls("/nonexistent");
        string? seen = null;

        MergedLayers.Read(sys, ["/layers/only"], merged => seen = merged);

        Assert.Equal("/layers/only", seen);
        Assert.Empty(sys.Calls);
    }

    [Fact]
    public void A_failure_while_reading_reaches_the_caller()
    {
        var sys = new RecordingSyscalls("/nonexistent");

        var e = Assert.Throws<IOException>(() => MergedLayers.Read(sys, ["/a", "/b"], _ => throw new IOException("disk gone")));
        Assert.Equal("disk gone", e.Message);
    }
}
