using System.Formats.Tar;
using Skiff.Images;

namespace Skiff.UnitTests.Images;

public sealed class LayerUnpackerTests : IDisposable
{
    // target is one level below the scratch dir, so "../x" would land in the scratch dir where the
    // tests can see it.
    private readonly TempDir _scratch = new();
    private string Target => _scratch["target"];
    private string Outside => _scratch["outside"];

    public LayerUnpackerTests() => Directory.CreateDirectory(Outside);

    public void Dispose() => _scratch.Dispose();

    private void Unpack(TarBuilder tar) => LayerUnpacker.Unpack(tar.Stream(), Target, applyOwnership: Environment.IsPrivilegedProcess);

    [Fact]
    public void A_dot_dot_member_is_refused_and_nothing_lands_outside()
    {
        var error = Assert.Throws<UnsafeLayerEntryException>(() => Unpack(new TarBuilder().File("../evil", "x")));
        Assert.Equal("../evil", error.Member);
        Assert.False(File.Exists(_scratch["evil"]));

        Assert.Throws<UnsafeLayerEntryException>(() => Unpack(new TarBuilder().Dir("a/").File("a/../../evil2", "x")));
        Assert.False(File.Exists(_scratch["evil2"]));
    }

    [Fact]
    public void An_absolute_member_is_refused()
    {
        var error = Assert.Throws<UnsafeLayerEntryException>(() => Unpack(new TarBuilder().File(Outside + "/abs", "x")));
        Assert.Contains("absolute", error.Message);
        Assert.False(File.Exists(Path.Combine(Outside, "abs")));
    }

    [Fact]
    public void A_member_below_a_symlink_to_etc_is_refused_and_etc_is_untouched()
    {
        var sentinel = $"skiff-unpack-test-{Guid.NewGuid():N}";
        var tar = new TarBuilder().Symlink("a", "/etc").File($"a/{sentinel}", "pwned");

        var error = Assert.Throws<UnsafeLayerEntryException>(() => Unpack(tar));

        Assert.Contains("symlink", error.Message);
        Assert.False(File.Exists($"/etc/{sentinel}"));
    }

    [Fact]
    public void A_member_below_a_symlink_to_a_directory_outside_is_refused()
    {
        var tar = new TarBuilder().Dir("d/").Symlink("d/link", Outside).File("d/link/passwd", "pwned");

        Assert.Throws<UnsafeLayerEntryException>(() => Unpack(tar));

        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public void A_member_through_a_relative_symlink_climbing_out_is_refused()
    {
        var tar = new TarBuilder().Symlink("up", "../outside").File("up/file", "pwned");

        Assert.Throws<UnsafeLayerEntryException>(() => Unpack(tar));

        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public void A_file_replacing_a_symlink_replaces_the_link_and_not_its_target()
    {
        var victim = Path.Combine(Outside, "victim");
        File.WriteAllText(victim, "original");

        Unpack(new TarBuilder().Symlink("x", victim).File("x", "new"));

        Assert.Equal("original", File.ReadAllText(victim));
        Assert.Null(new FileInfo(Path.Combine(Target, "x")).LinkTarget);
        Assert.Equal("new", File.ReadAllText(Path.Combine(Target, "x")));
    }

    [Theory]
    [InlineData("../outside/victim")]
    [InlineData("/etc/passwd")]
    [InlineData("link/victim")]
    public void A_hard_link_to_outside_is_refused(string linkTarget)
    {
        File.WriteAllText(Path.Combine(Outside, "victim"), "original");
        var tar = new TarBuilder().Symlink("link", Outside).HardLink("h", linkTarget);

        Assert.Throws<UnsafeLayerEntryException>(() => Unpack(tar));

        Assert.False(File.Exists(Path.Combine(Target, "h")));
        Assert.Equal(1, int.Parse(FileStat.Of(Path.Combine(Outside, "victim"), "%h")));
    }

    [Fact]
    public void A_hard_link_to_etc_shadow_is_refused_naming_the_link_target()
    {
        var error = Assert.Throws<UnsafeLayerEntryException>(() => Unpack(new TarBuilder().HardLink("shadow_RELESC", "/etc/shadow")));

        Assert.Equal("refusing layer member 'shadow_RELESC': hard link target '/etc/shadow' is an absolute path", error.Message);
    }

    [Fact]
    public void Files_dirs_symlinks_and_hard_links_round_trip_with_modes_and_mtimes()
    {
        var tar = new TarBuilder()
            .Dir("./", mode: 0x1ed)
            .Dir("etc/", mode: 0x1e8 /* 0750 */)
            .File("etc/conf", "a=1\n", mode: 0x1a0 /* 0640 */)
            .File("bin/tool", "#!/bin/sh\n", mode: 0x9ed /* 04755 */)
            .Symlink("bin/alias", "tool")
            .Symlink("dangling", "/nowhere")
            .HardLink("etc/conf-again", "etc/conf")
            .Dir("tmp/", mode: 0x3ff /* 01777 */);

        Unpack(tar);

        Assert.Equal("a=1\n", File.ReadAllText(Path.Combine(Target, "etc/conf")));
        Assert.Equal("750", FileStat.Of(Path.Combine(Target, "etc"), "%a"));
        Assert.Equal("640", FileStat.Of(Path.Combine(Target, "etc/conf"), "%a"));
        Assert.Equal("4755", FileStat.Of(Path.Combine(Target, "bin/tool"), "%a"));
        Assert.Equal("1777", FileStat.Of(Path.Combine(Target, "tmp"), "%a"));
        Assert.Equal("tool", new FileInfo(Path.Combine(Target, "bin/alias")).LinkTarget);
        Assert.Equal("/nowhere", new FileInfo(Path.Combine(Target, "dangling")).LinkTarget);
        Assert.Equal(FileStat.Of(Path.Combine(Target, "etc/conf"), "%i"), FileStat.Of(Path.Combine(Target, "etc/conf-again"), "%i"));

        var mtime = TarBuilder.Mtime.ToUnixTimeSeconds().ToString();
        Assert.Equal(mtime, FileStat.Of(Path.Combine(Target, "etc/conf"), "%Y"));
        Assert.Equal(mtime, FileStat.Of(Path.Combine(Target, "etc"), "%Y"));
        Assert.Equal(mtime, FileStat.Of(Path.Combine(Target, "bin/alias"), "%Y"));
        Assert.Equal(mtime, FileStat.Of(Target, "%Y"));
    }

    [RootFact]
    public void Ownership_and_setuid_bits_are_kept()
    {
        var tar = new TarBuilder()
            .Dir("home/", uid: 0, gid: 0)
            .Dir("home/user/", uid: 1000, gid: 1000)
            .File("home/user/file", "x", mode: 0x9ed /* 04755: set-uid survives the chown */, uid: 1000, gid: 50);

        Unpack(tar);

        Assert.Equal("1000:1000", FileStat.Of(Path.Combine(Target, "home/user"), "%u:%g"));
        Assert.Equal("1000:50", FileStat.Of(Path.Combine(Target, "home/user/file"), "%u:%g"));
        Assert.Equal("4755", FileStat.Of(Path.Combine(Target, "home/user/file"), "%a"));
    }

    [RootFact]
    public void Device_nodes_and_fifos_are_recreated_with_their_numbers()
    {
        var tar = new TarBuilder()
            .Dir("dev/")
            .Device("dev/null", TarEntryType.CharacterDevice, 1, 3)
            .Device("dev/loop0", TarEntryType.BlockDevice, 7, 0, mode: 0x1b0 /* 0660 */)
            .Device("dev/big", TarEntryType.CharacterDevice, 259, 70000)
            .Device("run/fifo", TarEntryType.Fifo, 0, 0, mode: 0x180 /* 0600 */);

        Unpack(tar);

        Assert.Equal("character special file 1:3 666", FileStat.Of(Path.Combine(Target, "dev/null"), "%F %Hr:%Lr %a"));
        Assert.Equal("block special file 7:0 660", FileStat.Of(Path.Combine(Target, "dev/loop0"), "%F %Hr:%Lr %a"));
        Assert.Equal("259:70000", FileStat.Of(Path.Combine(Target, "dev/big"), "%Hr:%Lr"));
        Assert.Equal("fifo 600", FileStat.Of(Path.Combine(Target, "run/fifo"), "%F %a"));
        Assert.Equal(TarBuilder.Mtime.ToUnixTimeSeconds().ToString(), FileStat.Of(Path.Combine(Target, "dev/null"), "%Y"));
    }

    [RootFact]
    public void Whiteouts_become_overlay_whiteouts()
    {
        var tar = new TarBuilder()
            .Dir("etc/")
            .Empty("etc/.wh.motd")
            .Dir("var/cache/")
            .Empty("var/cache/.wh..wh..opq");

        Unpack(tar);

        Assert.Equal("character special file 0:0", FileStat.Of(Path.Combine(Target, "etc/motd"), "%F %t:%T"));
        Assert.False(File.Exists(Path.Combine(Target, "etc/.wh.motd")));
        Assert.Equal("y", FileStat.Xattr(Path.Combine(Target, "var/cache"), "trusted.overlay.opaque"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Target, "var/cache")));
    }

    [Fact]
    public void A_layer_that_does_not_match_its_diff_id_leaves_no_snapshot()
    {
        var snapshots = new SnapshotStore(_scratch["store"]);
        var layer = new TarBuilder().File("f", "content").Bytes();
        var wrong = Digest.Compute("something else"u8);

        Assert.Throws<DigestMismatchException>(() => snapshots.Ensure(wrong, OciMediaTypes.Layer, () => new MemoryStream(layer)));

        Assert.False(snapshots.Exists(wrong));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scratch["store/snapshots"]));
    }

    [Fact]
    public void A_layer_is_unpacked_once_under_its_diff_id()
    {
        var snapshots = new SnapshotStore(_scratch["store"]);
        var layer = new TarBuilder().File("f", "content").Bytes();
        var diffId = Digest.Compute(layer);
        var opened = 0;

        var first = snapshots.Ensure(diffId, OciMediaTypes.Layer, () => { opened++; return new MemoryStream(layer); });
        var second = snapshots.Ensure(diffId, OciMediaTypes.Layer, () => { opened++; return new MemoryStream(layer); });

        Assert.Equal(_scratch[$"store/snapshots/{diffId.Hex}"], first);
        Assert.Equal(first, second);
        Assert.Equal(1, opened);
        Assert.Equal("content", File.ReadAllText(Path.Combine(first, "f")));
    }
}
