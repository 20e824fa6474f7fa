using Skiff.Engine.Volumes;
using Skiff.Linux;
using Skiff.UnitTests.Runtime;

namespace Skiff.UnitTests.Engine;

/// <summary>What filling a volume from an image keeps, node by node, as cp -a did.</summary>
public sealed class TreeCopyTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();
    private readonly string _source;
    private readonly string _copy;

    public TreeCopyTests()
    {
        _source = _scratch.Dir("image/data");
        _copy = _scratch.Dir("volume");
    }

    public void Dispose() => _scratch.Dispose();

    private string Source(string relative) => Path.Join(_source, relative);

    private string Copy(string relative) => Path.Join(_copy, relative);

    [Fact]
    public void Contents_modes_special_bits_and_times_are_kept()
    {
        _scratch.File("image/data/bin/tool", "#!/bin/sh\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.SetGroup);
        _scratch.File("image/data/secret", "s3cr3t", UnixFileMode.UserRead);
        File.SetUnixFileMode(Source("bin"), (UnixFileMode)Convert.ToInt32("1750", 8));
        var old = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Source("secret"), old);
        Directory.SetLastWriteTimeUtc(Source("bin"), old);

        TreeCopy.Contents(_source, _copy);

        Assert.Equal("#!/bin/sh\n", File.ReadAllText(Copy("bin/tool")));
        Assert.Equal("s3cr3t", File.ReadAllText(Copy("secret")));
        Assert.Equal(Convert.ToUInt32("2710", 8), NodeStatus.Of(Copy("bin/tool")).Mode);
        Assert.Equal(Convert.ToUInt32("0400", 8), NodeStatus.Of(Copy("secret")).Mode);
        Assert.Equal(Convert.ToUInt32("1750", 8), NodeStatus.Of(Copy("bin")).Mode);
        Assert.Equal(NodeStatus.Of(Source("secret")).Modified, NodeStatus.Of(Copy("secret")).Modified);
        Assert.Equal(old, Directory.GetLastWriteTimeUtc(Copy("bin")));
    }

    [Fact]
    public void The_volume_directory_takes_the_image_directorys_mode()
    {
        File.SetUnixFileMode(_source, (UnixFileMode)Convert.ToInt32("0701", 8));

        TreeCopy.Contents(_source, _copy);

        Assert.Equal(Convert.ToUInt32("0701", 8), NodeStatus.Of(_copy).Mode);
    }

    [Fact]
    public void Symlinks_are_copied_as_links_never_followed_even_dangling_or_absolute()
    {
        _scratch.File("image/data/real", "x");
        _scratch.Symlink("image/data/relative", "real");
        _scratch.Symlink("image/data/absolute", "/etc/passwd");
        _scratch.Symlink("image/data/dangling", "../nowhere");

        TreeCopy.Contents(_source, _copy);

        Assert.Equal("real", new FileInfo(Copy("relative")).LinkTarget);
        Assert.Equal("/etc/passwd", new FileInfo(Copy("absolute")).LinkTarget);
        Assert.Equal("../nowhere", new FileInfo(Copy("dangling")).LinkTarget);
        Assert.Equal(FileNodes.SIfLnk, NodeStatus.Of(Copy("absolute")).Type);
    }

    [Fact]
    public void Hard_links_stay_one_file_with_two_names()
    {
        _scratch.File("image/data/a/first", "shared");
        Directory.CreateDirectory(Source("b"));
        FileNodes.HardLink(Source("a/first"), Source("b/second"));

        TreeCopy.Contents(_source, _copy);

        var first = NodeStatus.Of(Copy("a/first"));
        var second = NodeStatus.Of(Copy("b/second"));
        Assert.Equal(first.Inode, second.Inode);
        Assert.Equal(2u, first.Links);
        Assert.NotEqual(NodeStatus.Of(Source("a/first")).Inode, first.Inode);
    }

    [Fact]
    public void Fifos_are_made_anew_with_their_mode()
    {
        FileDescriptors.MakeFifo(Source("pipe"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        TreeCopy.Contents(_source, _copy);

        var node = NodeStatus.Of(Copy("pipe"));
        Assert.Equal((FileNodes.SIfIfo, Convert.ToUInt32("0600", 8)), (node.Type, node.Mode));
    }

    [Fact]
    public void Extended_attributes_of_files_and_directories_are_kept()
    {
        var file = _scratch.File("image/data/labelled", "x");
        FileNodes.Lsetxattr(file, "user.skiff.test", "value ü"u8);
        FileNodes.Lsetxattr(_source, "user.skiff.dir", "d"u8);

        TreeCopy.Contents(_source, _copy);

        Assert.Equal("value ü", FileNodes.Lgetxattr(Copy("labelled"), "user.skiff.test"));
        Assert.Equal("d", FileNodes.Lgetxattr(_copy, "user.skiff.dir"));
    }

    [Fact]
    public void Owners_and_device_nodes_are_kept_when_running_as_root()
    {
        if (!Identity.IsRoot) return; // chown to another user and mknod of a device need root; the other tests cover the rest
        var file = _scratch.File("image/data/owned", "x", UnixFileMode.UserRead | UnixFileMode.SetUser | UnixFileMode.UserExecute);
        FileNodes.Lchown(file, 1234, 5678);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.SetUser);
        var link = _scratch.Symlink("image/data/link", "owned");
        FileNodes.Lchown(link, 4321, 8765);
        FileNodes.Mknod(Source("null"), FileNodes.SIfChr | Convert.ToUInt32("0666", 8), 1, 3);

        TreeCopy.Contents(_source, _copy);

        var owned = NodeStatus.Of(Copy("owned"));
        Assert.Equal((1234u, 5678u, Convert.ToUInt32("4500", 8)), (owned.Uid, owned.Gid, owned.Mode));
        var copiedLink = NodeStatus.Of(Copy("link"));
        Assert.Equal((4321u, 8765u), (copiedLink.Uid, copiedLink.Gid));
        var device = NodeStatus.Of(Copy("null"));
        Assert.Equal((FileNodes.SIfChr, 1u, 3u), (device.Type, device.RdevMajor, device.RdevMinor));
    }
}
