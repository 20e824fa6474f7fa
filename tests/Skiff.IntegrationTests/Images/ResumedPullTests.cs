using System.Security.Cryptography;
using System.Text.Json;
using Xunit.Abstractions;
using static Skiff.IntegrationTests.Images.ImageTools;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests.Images;

/// <summary>A layer download cut off mid-way, for real, by a proxy between Skiff and the registry.</summary>
[Collection("images")]
public sealed class ResumedPullTests(ITestOutputHelper output)
{
    private const int PayloadBytes = 8 << 20;
    private const long CutAfter = 3 << 20;

    [Fact]
    public void A_dropped_layer_download_resumes_where_it_broke_off()
    {
        var pull = PullThroughCut(hideRange: false, "resume/big:v1");

        var range = Assert.Single(pull.Ranges);
        Assert.Matches(@"^Range: bytes=[1-9][0-9]*-$", range);
        // The layer once, plus manifests, config and headers: nothing was fetched twice.
        Assert.InRange(pull.BytesToClient, pull.LayerBytes, pull.LayerBytes + (256 << 10));
    }

    [Fact]
    public void A_registry_that_ignores_range_gets_the_download_restarted()
    {
        var pull = PullThroughCut(hideRange: true, "restart/big:v1");

        Assert.Single(pull.Ranges);
        // What came before the cut, then the whole layer again.
        Assert.InRange(pull.BytesToClient, pull.LayerBytes + CutAfter - (256 << 10), pull.LayerBytes + CutAfter + (256 << 10));
    }

    private sealed record CutPull(string[] Ranges, long BytesToClient, long LayerBytes);

    /// <summary>Pushes an image with an incompressible payload, pulls it through a proxy that cuts the
    /// connection once in the middle of its layer, checks the image runs with that payload intact, and
    /// removes it again.</summary>
    private CutPull PullThroughCut(bool hideRange, string repositoryAndTag)
    {
        using var registry = new LocalRegistry();
        var payload = Path.Join(Path.GetTempPath(), $"skiff-payload-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(payload, RandomNumberGenerator.GetBytes(PayloadBytes));
            var expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(payload)));
            PushUmociImage($"{registry.Host}/{repositoryAndTag}", "resumable", payload);
            using var manifest = JsonDocument.Parse(Must(Run("skopeo", ["inspect", "--raw", "--tls-verify=false", $"docker://{registry.Host}/{repositoryAndTag}"])).Stdout);
            var layerBytes = manifest.RootElement.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("size").GetInt64());
            Assert.True(layerBytes > CutAfter + (1 << 20), $"the layer ({layerBytes} bytes) must outlast the cut");

            using var proxy = new CuttingProxy(registry.Port, CutAfter, hideRange);
            var name = $"{proxy.Host}/{repositoryAndTag}";
            Must(RunSkiff("pull", name));
            Assert.True(proxy.WasCut, "the proxy never cut the download");
            var result = new CutPull(proxy.RangeRequests, proxy.BytesToClient, layerBytes);
            output.WriteLine($"layer {layerBytes} bytes, cut after {CutAfter}, {result.BytesToClient} bytes to Skiff, {string.Join("; ", result.Ranges)}");

            var sum = Must(RunSkiff("run", "--rm", name, "/bin/busybox", "sha256sum", "/payload")).Stdout;
            Assert.StartsWith(expected, sum);
            Must(RunSkiff("rmi", name));
            return result;
        }
        finally
        {
            File.Delete(payload);
        }
    }
}
