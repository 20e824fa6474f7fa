using System.Formats.Tar;
using Skiff.Images;

namespace Skiff.UnitTests.Images;

public sealed class ImageStoreTests : IDisposable
{
    private readonly TempDir _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Busybox_is_created_on_first_use_and_every_spelling_resolves_to_it()
    {
        var store = new ImageStore(_root.Path);

        var image = store.Resolve("busybox");

        Assert.Equal("busybox:latest", image.Reference);
        AssertSameImage(image, store.Resolve("busybox:latest"));
        AssertSameImage(image, store.Resolve("docker.io/library/busybox:latest"));
        Assert.Equal(image.ManifestDigest, store.References()["busybox:latest"]);
        Assert.Equal(["sh"], image.Config.Cmd);
        Assert.Null(image.Config.Entrypoint);
        Assert.Equal([BuiltinBusybox.DefaultPath], image.Config.Env);
    }

    [Fact]
    public void A_snapshot_size_counts_its_own_files_and_never_what_a_symlink_points_at()
    {
        var snapshot = _root["snapshot"];
        Directory.CreateDirectory(Path.Combine(snapshot, "var"));
        File.WriteAllBytes(Path.Combine(snapshot, "var", "file"), new byte[1000]);
        // As in Debian's base: /var/run -> /run, which on the host holds anything at all.
        File.CreateSymbolicLink(Path.Combine(snapshot, "var", "run"), "/usr/share");

        Assert.Equal(1000, ImageStore.DirectorySize(snapshot));
    }

    [Fact]
    public void Busybox_image_has_sh_linked_to_busybox_and_the_usual_users()
    {
        var image = new ImageStore(_root.Path).Resolve("busybox");

        var rootfs = Assert.Single(image.LayerDirs);
        Assert.Equal("busybox", new FileInfo(Path.Combine(rootfs, "bin/sh")).LinkTarget);
        Assert.Equal("755", FileStat.Of(Path.Combine(rootfs, "bin/busybox"), "%a"));
        Assert.Equal(new FileInfo(BuiltinBusybox.Locate()).Length, new FileInfo(Path.Combine(rootfs, "bin/busybox")).Length);
        var passwd = File.ReadAllLines(Path.Combine(rootfs, "etc/passwd"));
        Assert.Equal("root:x:0:0:root:/root:/bin/sh", passwd[0]);
        Assert.Contains("nobody:x:65534:65534:nobody:/nonexistent:/bin/false", passwd);
        Assert.Contains("users:x:100:", File.ReadAllLines(Path.Combine(rootfs, "etc/group")));
        Assert.Equal("1777", FileStat.Of(Path.Combine(rootfs, "tmp"), "%a"));
        Assert.Equal("700", FileStat.Of(Path.Combine(rootfs, "root"), "%a"));
    }

    [Fact]
    public void Busybox_image_is_stored_as_real_oci_blobs()
    {
        var store = new ImageStore(_root.Path);
        var image = store.Resolve("busybox");

        var manifest = store.ReadManifest(image.ManifestDigest);
        Assert.Equal(2, manifest.SchemaVersion);
        Assert.Equal(OciMediaTypes.ImageManifest, manifest.MediaType);
        Assert.Equal(image.Id, manifest.Config.Digest);
        var layer = Assert.Single(manifest.Layers);
        Assert.Equal(OciMediaTypes.Layer, layer.MediaType);
        Assert.Equal(new FileInfo(store.Content.Path(layer.Digest)).Length, layer.Size);

        var config = store.ReadConfig(image.Id);
        Assert.Equal("linux", config.Os);
        Assert.Contains(config.Architecture, new[] { "amd64", "arm64" });
        Assert.Equal([layer.Digest], config.RootFs.DiffIds);
        Assert.StartsWith("created by skiff from the host's busybox-static v", Assert.Single(config.History!).CreatedBy);

        var json = File.ReadAllText(store.Content.Path(image.ManifestDigest));
        Assert.Contains("\"schemaVersion\":2", json);
        Assert.Contains("\"diff_ids\"", File.ReadAllText(store.Content.Path(image.Id)));

        // Layer entries are sorted, owned by root and stamped with one mtime.
        using var tar = new TarReader(store.Content.Open(layer.Digest));
        var names = new List<string>();
        while (tar.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name.TrimEnd('/'));
            Assert.Equal((0, 0), (entry.Uid, entry.Gid));
        }
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public void Creating_busybox_twice_gives_the_same_digests()
    {
        using var other = new TempDir();

        var first = new ImageStore(_root.Path).Resolve("busybox");
        var second = new ImageStore(other.Path).Resolve("busybox");

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.ManifestDigest, second.ManifestDigest);
    }

    [Fact]
    public void Concurrent_first_use_creates_busybox_once()
    {
        var results = new LocalImage[4];
        Parallel.For(0, results.Length, i => results[i] = new ImageStore(_root.Path).Resolve("busybox"));

        Assert.All(results, r => AssertSameImage(results[0], r));
        Assert.Single(Directory.EnumerateDirectories(_root["snapshots"]));
        Assert.Equal(3, Directory.EnumerateFiles(_root["blobs/sha256"]).Count());
        Assert.False(File.Exists(_root["references.json.tmp-" + Environment.ProcessId]));
    }

    [Fact]
    public void An_image_resolves_by_id_prefix()
    {
        var store = new ImageStore(_root.Path);
        var image = store.Resolve("busybox");

        AssertSameImage(image, store.Resolve(image.Id.Hex[..12]));
        AssertSameImage(image, store.Resolve(image.Id.ToString()));
    }

    [Fact]
    public void An_image_resolves_by_manifest_digest()
    {
        var store = new ImageStore(_root.Path);
        var image = store.Resolve("busybox");

        Assert.Equal(image.LayerDirs, store.Resolve("busybox@" + image.ManifestDigest).LayerDirs);
    }

    [Fact]
    public void A_tag_points_at_an_existing_manifest()
    {
        var store = new ImageStore(_root.Path);
        var image = store.Resolve("busybox");

        store.Tag("docker.io/me/shell:v1", image.ManifestDigest);

        var tagged = store.Resolve("me/shell:v1");
        Assert.Equal("me/shell:v1", tagged.Reference);
        Assert.Equal(image.Id, tagged.Id);
    }

    [Fact]
    public void An_unknown_image_says_which_and_how_to_get_it()
    {
        var store = new ImageStore(_root.Path);

        var error = Assert.Throws<ImageNotFoundException>(() => store.Resolve("docker.io/library/nginx"));

        Assert.Contains("nginx:latest", error.Message);
        Assert.Contains("skiff pull", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root["blobs/sha256"]));
    }

    [Fact]
    public void A_removed_snapshot_is_unpacked_again_from_its_blob()
    {
        var store = new ImageStore(_root.Path);
        var dir = Assert.Single(store.Resolve("busybox").LayerDirs);
        Directory.Delete(dir, recursive: true);

        Assert.Equal(dir, Assert.Single(new ImageStore(_root.Path).Resolve("busybox").LayerDirs));
        Assert.True(File.Exists(Path.Combine(dir, "bin/busybox")));
    }

    // LocalImage holds lists, so record equality would compare them by reference.
    private static void AssertSameImage(LocalImage expected, LocalImage actual)
    {
        Assert.Equal(expected.Reference, actual.Reference);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.ManifestDigest, actual.ManifestDigest);
        Assert.Equal(expected.LayerDirs, actual.LayerDirs);
        Assert.Equal(expected.Config.Env, actual.Config.Env);
        Assert.Equal(expected.Config.Cmd, actual.Config.Cmd);
    }

    [Fact]
    public void Host_busybox_is_static_and_a_dynamic_binary_is_not()
    {
        Assert.True(BuiltinBusybox.IsStaticElf(BuiltinBusybox.Locate()));
        Assert.False(BuiltinBusybox.IsStaticElf("/bin/ls"));
        Assert.False(BuiltinBusybox.IsStaticElf("/etc/passwd"));
    }
}
