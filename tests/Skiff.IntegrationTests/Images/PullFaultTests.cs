using static Skiff.IntegrationTests.BridgeNetworkTests;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests.Images;

/// <summary>
/// A pull of the Debian test image (three layers, 114 MB compressed, 270 MB unpacked) from Debian's
/// docker-registry, cut short by a full disk or by SIGKILL, into a state directory of its own on a
/// tmpfs: no image is listed that cannot run, nothing half-written is left, and the retried pull
/// succeeds and leaves nothing extra (an image prune after it finds nothing to reclaim).
/// </summary>
[Collection("images")]
public sealed class PullFaultTests(DebianRegistry debian) : IClassFixture<DebianRegistry>
{
    private const int KilledBySigkill = 137;

    private string Image
    {
        get
        {
            Assert.True(debian.Registry is not null,
                "the Debian test image is missing: run scripts/test (it builds it with scripts/test-images and sets SKIFF_TEST_IMAGES)");
            return debian.Name("oci");
        }
    }

    private string[] Pull => ["pull", "-q", "--insecure-registry", debian.Registry!.Host, Image];

    /// <summary>60 MB runs out while the 90 MB layer downloads; 200 MB once the blobs are stored, while they are unpacked.</summary>
    [Theory]
    [InlineData("60m")]
    [InlineData("200m")]
    public void A_pull_that_fills_the_disk_says_so_in_one_sentence_keeps_nothing_and_succeeds_once_there_is_room(string size)
    {
        using var state = new SmallStateRoot(size);
        var image = Image;

        AssertOneSentence(state.Heavy(Pull), "no space left");

        Assert.DoesNotContain("debian/nginx", Ok(state.Skiff("images")).Stdout);
        Assert.NotEqual(0, state.Skiff("image", "inspect", image).ExitCode);
        Assert.Equal("", state.Leftovers());

        state.Grow("1g");
        AssertRetriedPullRunsAndLeavesNothingExtra(state, image);
    }

    /// <summary>
    /// Killed in the middle of a blob's download, after a layer's snapshot is unpacked but before it
    /// has its name, and after every layer is stored but before the image has its name.
    /// </summary>
    [Theory]
    [InlineData("blob:partly-written")]
    [InlineData("snapshot:unpacked")]
    [InlineData("pull:layers-stored")]
    public void A_pull_killed_at_any_step_lists_no_image_and_the_retried_pull_keeps_nothing_extra(string step)
    {
        using var state = new SmallStateRoot("1g");
        var image = Image;

        var killed = state.KilledAt(step, Pull);
        Assert.True(killed.ExitCode == KilledBySigkill, $"pull was not killed at {step}: {killed}");

        Assert.DoesNotContain("debian/nginx", Ok(state.Skiff("images")).Stdout);
        Assert.NotEqual(0, state.Skiff("image", "inspect", image).ExitCode);
        AssertRetriedPullRunsAndLeavesNothingExtra(state, image);
    }

    /// <summary>What a killed pull stored is either adopted by the next pull or removed by system repair.</summary>
    [Fact]
    public void System_repair_removes_what_a_killed_pull_stored()
    {
        using var state = new SmallStateRoot("1g");
        var killed = state.KilledAt("pull:layers-stored", Pull);
        Assert.Equal(KilledBySigkill, killed.ExitCode);
        Assert.NotEqual("", Sh($"ls {state.Root}/images/snapshots").Stdout);

        Assert.Contains("left by interrupted pulls", Ok(state.Skiff("system", "repair")).Stdout);

        Assert.Equal("", Sh($"ls -A {state.Root}/images/snapshots").Stdout);
        Assert.Equal("", Sh($"ls -A {state.Root}/images/blobs/sha256").Stdout);
    }

    private void AssertRetriedPullRunsAndLeavesNothingExtra(SmallStateRoot state, string image)
    {
        Ok(state.Heavy(Pull));
        Assert.Equal("", state.Leftovers());
        Assert.Contains("nginx", Ok(state.Skiff("run", "--rm", "--network", "none", image, "sh", "-c", "command -v nginx")).Stdout);
        Assert.Contains("Total reclaimed space: 0B", Ok(state.Skiff("image", "prune", "-f")).Stdout);
    }
}
