using System.Text.Json;
using Skiff.IntegrationTests.Network;
using static Skiff.IntegrationTests.BridgeNetworkTests;
using static Skiff.IntegrationTests.Images.ImageTools;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests.Images;

/// <summary>The Debian 12 image scripts/test-images builds from Debian's own packages (mmdebstrap,
/// nginx-light, iproute2, iputils-ping, wget, curl; three layers, the last with whiteouts and an
/// opaque directory), served by a local docker-registry as an OCI manifest and as Docker schema 2.</summary>
public sealed class DebianRegistry : IDisposable
{
    public DebianRegistry()
    {
        var cache = Environment.GetEnvironmentVariable("SKIFF_TEST_IMAGES");
        Layout = cache is null ? null : Path.Join(cache, "debian", "oci");
        DockerArchive = cache is null ? null : Path.Join(cache, "debian", "docker.tar");
        if (Layout is null || !Directory.Exists(Layout))
            return;
        Registry = new LocalRegistry();
        foreach (var format in new[] { "oci", "v2s2" })
            Must(Run("skopeo", ["copy", "-q", "--format", format, "--dest-tls-verify=false", $"oci:{Layout}:debian", $"docker://{Name(format)}"]));
    }

    public string? Layout { get; }
    public string? DockerArchive { get; }
    public LocalRegistry? Registry { get; }

    /// <summary>The image's name in the registry, by manifest kind ("oci" or "v2s2").</summary>
    public string Name(string format) => $"{Registry!.Host}/debian/nginx:{format}";

    /// <summary>The image stays pulled between the tests (its 270 MB of snapshots are unpacked once) and
    /// goes with the fixture.</summary>
    public void Dispose()
    {
        if (Registry is null)
            return;
        Heavy("rmi", "-f", Name("oci"), Name("v2s2"));
        Registry.Dispose();
    }

    /// <summary>skiff for steps that move the whole image (pull, save, load, rmi): minutes, not the
    /// usual 90 s, on a machine whose CPUs other suites share.</summary>
    public static RunResult Heavy(params string[] args) => Run(Binary, args, timeout: TimeSpan.FromMinutes(10));
}

[Collection("images")]
public sealed class DebianImageTests(DebianRegistry debian) : IClassFixture<DebianRegistry>
{
    private const string Page = "skiff debian test image";

    /// <summary>The image is built outside the sandbox (it needs the package mirror); without it the
    /// tests say how to get it rather than pass.</summary>
    private void RequireImage() =>
        Assert.True(debian.Registry is not null,
            "the Debian test image is missing: run scripts/test (it builds it with scripts/test-images and sets SKIFF_TEST_IMAGES)");

    private string Pulled(string format)
    {
        RequireImage();
        var name = debian.Name(format);
        Must(DebianRegistry.Heavy("pull", name));
        return name;
    }

    [Theory]
    [InlineData("oci")]
    [InlineData("v2s2")]
    public void The_debian_image_pulls_and_its_layers_add_delete_and_replace_files(string format)
    {
        var name = Pulled(format);

        var run = Must(RunSkiff("run", "--rm", "--network", "none", name, "sh", "-c",
            "cat /etc/issue; ls /var/www/html; for p in /etc/motd /usr/share/doc/curl; do test -e $p && echo present || echo gone; done; " +
            "ls /usr/share/doc/wget; nginx -v 2>&1; ip -V"));

        var lines = run.Stdout.Split('\n');
        Assert.Equal("Debian GNU/Linux 12, layered by skiff scripts/test-images", lines[0]);
        // The opaque /var/www/html hides nginx's own index.nginx-debian.html; whiteouts hide the rest.
        Assert.Equal("index.html", lines[1]);
        Assert.Equal(["gone", "gone"], lines[2..4]);
        Assert.Contains("copyright", run.Stdout);
        Assert.Contains("nginx version: nginx/", run.Stdout);
        Assert.Contains("ip utility, iproute2", run.Stdout);
    }

    [Fact]
    public void Nginx_serves_its_page_through_a_published_port_and_the_container_reaches_its_gateway()
    {
        var name = Pulled("oci");
        using var outside = new OutsideMachine();
        WithNetwork("10.85.0.0/24", [], net =>
        {
            // The image's own command: nginx -g 'daemon off;'.
            var web = Detached(net, "-p", "8080:80", name);

            var page = Eventually(() => outside.Bash($"curl -sf --max-time 3 http://{OutsideMachine.HostAddress}:8080/"));
            Assert.Contains(Page, page.Stdout);
            Assert.Contains("inet 10.85.0.", Must(RunSkiff("exec", web, "ip", "addr")).Stdout);
            var ping = Must(RunSkiff("exec", web, "ping", "-c1", "-W", "3", "10.85.0.1"));
            Assert.Contains("1 received", ping.Stdout);
            Assert.Contains("nginx -g daemon off;", Must(RunSkiff("exec", web, "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline")).Stdout);
        });
    }

    [Fact]
    public void A_change_commits_pushes_for_skopeo_and_survives_save_and_load_with_its_history()
    {
        var name = Pulled("v2s2");
        var container = UniqueName();
        Must(RunSkiff("run", "--name", container, "--network", "none", name, "sh", "-c", "echo committed > /var/www/html/extra.html && rm /etc/issue"));
        var committed = $"{debian.Registry!.Host}/debian/changed:v1";
        Must(RunSkiff("commit", "-m", "add extra.html, drop /etc/issue", container, committed));
        Must(RunSkiff("rm", container));

        Must(DebianRegistry.Heavy("push", committed));
        using (var inspect = JsonDocument.Parse(Must(Run("skopeo", ["inspect", "--tls-verify=false", $"docker://{committed}"])).Stdout))
            Assert.Equal(4, inspect.RootElement.GetProperty("Layers").GetArrayLength());

        var history = Must(RunSkiff("image", "history", "--no-trunc", committed)).Stdout;
        Assert.Contains("add extra.html, drop /etc/issue", history);
        Assert.Contains("apt-get install apt nginx-light iproute2 iputils-ping wget curl", history);
        Assert.Contains("mmdebstrap --variant=minbase bookworm", history);

        var archive = Path.Join(Path.GetTempPath(), $"skiff-debian-{Guid.NewGuid():N}.tar");
        try
        {
            Must(DebianRegistry.Heavy("save", "-o", archive, committed));
            // The committed layer goes and comes back from the archive; the Debian layers below it
            // stay (the pulled image holds them) and are verified against the archive's blobs.
            Must(DebianRegistry.Heavy("rmi", committed));
            Assert.Contains($"Loaded image: {committed}", Must(DebianRegistry.Heavy("load", "-i", archive)).Stdout);
            var after = Must(RunSkiff("run", "--rm", "--network", "none", committed, "sh", "-c", "cat /var/www/html/extra.html; test -e /etc/issue || echo issue gone"));
            Assert.Equal("committed\nissue gone\n", after.Stdout);
        }
        finally
        {
            File.Delete(archive);
        }
        Must(DebianRegistry.Heavy("rmi", committed));
    }

    [Fact]
    public void The_docker_archive_skopeo_wrote_loads_and_runs()
    {
        RequireImage();
        Assert.Contains("Loaded image: skiff-test/debian:12", Must(DebianRegistry.Heavy("load", "-i", debian.DockerArchive!)).Stdout);
        Assert.Equal("index.html\n", Must(RunSkiff("run", "--rm", "--network", "none", "skiff-test/debian:12", "ls", "/var/www/html")).Stdout);
        Must(DebianRegistry.Heavy("rmi", "skiff-test/debian:12"));
    }
}
