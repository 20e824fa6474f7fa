using System.Text.Json;
using static Skiff.IntegrationTests.Images.ImageTools;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests.Images;

[Collection("images")]
public sealed class ArchiveTests : IDisposable
{
    private readonly string _dir = Path.Join(Path.GetTempPath(), $"skiff-archive-{Guid.NewGuid():N}");

    public ArchiveTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Save_writes_an_archive_skopeo_reads_as_docker_and_oci_and_load_restores_it()
    {
        Must(RunSkiff("tag", "busybox", "archived/shell:v1"));
        var id = Must(RunSkiff("images", "-q", "archived/shell:v1")).Stdout.Trim();
        var archive = Path.Join(_dir, "save.tar");
        Must(RunSkiff("save", "-o", archive, "archived/shell:v1"));

        Must(Run("skopeo", ["inspect", $"docker-archive:{archive}"]));
        Must(Run("skopeo", ["inspect", $"oci-archive:{archive}"]));

        Must(RunSkiff("rmi", "archived/shell:v1"));
        var load = Must(RunSkiff("load", "-i", archive));
        Assert.Contains("Loaded image: archived/shell:v1", load.Stdout);
        Assert.Equal(id, Must(RunSkiff("images", "-q", "archived/shell:v1")).Stdout.Trim());
        Assert.Equal("ok\n", Must(RunSkiff("run", "--rm", "archived/shell:v1", "echo", "ok")).Stdout);
        Must(RunSkiff("rmi", "archived/shell:v1"));
    }

    [Fact]
    public void An_image_of_more_layers_than_a_page_of_absolute_paths_holds_runs_and_fills_a_volume_with_all_of_them()
    {
        // 50 snapshot paths under the state root take more than the 4096 bytes mount(2) accepts.
        const int count = 50;
        var archive = Path.Join(_dir, "layered.tar");
        DockerArchiveBuilder.Write(archive, "layered/tall:v1", [.. Enumerable.Range(0, count).Select(i => new[]
        {
            DockerArchiveBuilder.File($"layer-{i}"), DockerArchiveBuilder.File($"data/from-{i}"), DockerArchiveBuilder.File("top", $"{i}\n"),
        })]);

        Must(RunSkiff("load", "-i", archive));
        // A new volume is filled from the image's merged layers, through an overlay of its own.
        var volume = $"tall-{Guid.NewGuid():N}"[..16];
        var run = Must(RunSkiff("run", "--rm", "-v", $"{volume}:/data", "layered/tall:v1", "/bin/busybox", "sh", "-c",
            "cat /top; /bin/busybox ls / | /bin/busybox grep -c layer-; /bin/busybox ls /data | /bin/busybox grep -c from-"));

        Assert.Equal($"{count - 1}\n{count}\n{count}\n", run.Stdout);
        Must(RunSkiff("volume", "rm", volume));
        Must(RunSkiff("rmi", "layered/tall:v1"));
    }

    [Fact]
    public void Whiteouts_and_opaque_directories_hide_what_lower_layers_hold_in_the_running_container()
    {
        var archive = Path.Join(_dir, "whiteouts.tar");
        DockerArchiveBuilder.Write(archive, "layered/whiteouts:v1",
        [
            [DockerArchiveBuilder.File("srv/motd", "old"), DockerArchiveBuilder.File("srv/keep", "kept"), DockerArchiveBuilder.File("cache/stale", "x")],
            [DockerArchiveBuilder.File("srv/.wh.motd"), DockerArchiveBuilder.File("cache/.wh..wh..opq"), DockerArchiveBuilder.File("cache/fresh", "y")],
        ]);

        Must(RunSkiff("load", "-i", archive));
        var run = Must(RunSkiff("run", "--rm", "layered/whiteouts:v1", "/bin/busybox", "sh", "-c",
            "/bin/busybox ls /srv; /bin/busybox ls /cache; /bin/busybox find /srv /cache -name '.wh*' | /bin/busybox wc -l"));

        Assert.Equal("keep\nfresh\n0\n", run.Stdout);
        Must(RunSkiff("rmi", "layered/whiteouts:v1"));
    }

    [Fact]
    public void A_docker_archive_written_by_skopeo_loads_and_runs()
    {
        using var registry = new LocalRegistry();
        var name = $"{registry.Host}/umoci/archived:v1";
        PushUmociImage(name, "from skopeo");
        var archive = Path.Join(_dir, "skopeo.tar");
        Must(Run("skopeo", ["copy", "--src-tls-verify=false", $"docker://{name}", $"docker-archive:{archive}:skopeo/made:v1"]));

        Assert.Contains("Loaded image: skopeo/made:v1", Must(RunSkiff("load", "-i", archive)).Stdout);
        Assert.Equal("from skopeo\n", Must(RunSkiff("run", "--rm", "skopeo/made:v1", "/bin/busybox", "cat", "/greeting")).Stdout);
        Must(RunSkiff("rmi", "skopeo/made:v1"));
    }

    [Fact]
    public void Import_makes_a_one_layer_image_with_the_changes_applied()
    {
        var rootfs = Path.Join(_dir, "rootfs");
        Directory.CreateDirectory(Path.Join(rootfs, "bin"));
        File.Copy("/bin/busybox", Path.Join(rootfs, "bin", "busybox"));
        File.CreateSymbolicLink(Path.Join(rootfs, "bin", "sh"), "busybox");
        var tar = Path.Join(_dir, "rootfs.tar.gz");
        Must(Sh($"tar -C {rootfs} -czf {tar} ."));

        Must(RunSkiff("import", "--change", "ENV GREETING=imported", "--change", "CMD [\"/bin/sh\", \"-c\", \"echo $GREETING\"]", tar, "imported/rootfs:v1"));

        Assert.Equal("imported\n", Must(RunSkiff("run", "--rm", "imported/rootfs:v1")).Stdout);
        using var inspect = JsonDocument.Parse(Must(RunSkiff("image", "inspect", "imported/rootfs:v1")).Stdout);
        Assert.Equal(1, inspect.RootElement[0].GetProperty("RootFS").GetProperty("Layers").GetArrayLength());
        Must(RunSkiff("rmi", "imported/rootfs:v1"));
    }

    [Fact]
    public void Removing_the_last_name_of_an_image_frees_its_snapshots_and_blobs()
    {
        var tar = Path.Join(_dir, "one.tar");
        var rootfs = Path.Join(_dir, "one");
        Directory.CreateDirectory(Path.Join(rootfs, "bin"));
        File.Copy("/bin/busybox", Path.Join(rootfs, "bin", "busybox"));
        File.WriteAllText(Path.Join(rootfs, "unique"), Guid.NewGuid().ToString());
        Must(Sh($"tar -C {rootfs} -cf {tar} ."));
        Must(RunSkiff("import", tar, "gc/one:a"));
        Must(RunSkiff("tag", "gc/one:a", "gc/one:b"));
        using var inspect = JsonDocument.Parse(Must(RunSkiff("image", "inspect", "gc/one:a")).Stdout);
        var diffId = inspect.RootElement[0].GetProperty("RootFS").GetProperty("Layers")[0].GetString()!["sha256:".Length..];
        var snapshot = Path.Join(StateRoot, "images", "snapshots", diffId);
        Must(RunSkiff("run", "--rm", "gc/one:a", "/bin/busybox", "true"));
        Assert.True(Directory.Exists(snapshot));

        var first = Must(RunSkiff("rmi", "gc/one:a"));
        Assert.DoesNotContain("Deleted", first.Stdout);
        var last = Must(RunSkiff("rmi", "gc/one:b"));
        Assert.Contains("Deleted: sha256:", last.Stdout);
        Assert.False(Directory.Exists(snapshot));
        Assert.Equal(125, RunSkiff("image", "inspect", "gc/one:b").ExitCode);
    }
}
