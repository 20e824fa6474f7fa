using Skiff.Runtime.Rootfs;

namespace Skiff.UnitTests.Runtime;

public sealed class RootfsPathTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();
    private readonly string _rootfs;

    public RootfsPathTests() => _rootfs = _scratch.Dir("rootfs");

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Absolute_symlink_points_into_the_rootfs_not_the_host()
    {
        _scratch.Dir("rootfs/etc");
        _scratch.Symlink("rootfs/hostetc", "/etc");

        Assert.Equal(_rootfs + "/etc/passwd", RootfsPath.Resolve(_rootfs, "/hostetc/passwd"));
    }

    [Fact]
    public void Usr_merge_link_bin_to_usr_bin_resolves_under_the_rootfs()
    {
        _scratch.Dir("rootfs/usr/bin");
        _scratch.Symlink("rootfs/bin", "/usr/bin");

        Assert.Equal(_rootfs + "/usr/bin/sh", RootfsPath.Resolve(_rootfs, "/bin/sh"));
    }

    [Fact]
    public void Etc_linked_to_slash_etc_is_a_loop_inside_the_container_and_fails()
    {
        // Inside the container /etc -> /etc points at itself; it must not fall through to the host's /etc.
        _scratch.Symlink("rootfs/etc", "/etc");

        var e = Assert.Throws<IOException>(() => RootfsPath.Resolve(_rootfs, "/etc/passwd"));
        Assert.Contains("too many levels of symbolic links", e.Message);
    }

    [Fact]
    public void Relative_link_climbing_with_dot_dot_stops_at_the_rootfs()
    {
        _scratch.Dir("rootfs/a/b");
        _scratch.Symlink("rootfs/a/b/escape", "../../../../../../etc");

        Assert.Equal(_rootfs + "/etc/shadow", RootfsPath.Resolve(_rootfs, "/a/b/escape/shadow"));
    }

    [Fact]
    public void Relative_link_is_followed_from_the_directory_holding_it()
    {
        _scratch.Dir("rootfs/usr/lib");
        _scratch.Symlink("rootfs/usr/lib64", "lib");

        Assert.Equal(_rootfs + "/usr/lib/libc.so", RootfsPath.Resolve(_rootfs, "/usr/lib64/libc.so"));
    }

    [Fact]
    public void Chain_of_absolute_and_relative_links_is_followed_to_the_end()
    {
        _scratch.Dir("rootfs/x");
        _scratch.Dir("rootfs/real");
        _scratch.Symlink("rootfs/l1", "l2");
        _scratch.Symlink("rootfs/l2", "/x/l3");
        _scratch.Symlink("rootfs/x/l3", "../real");

        Assert.Equal(_rootfs + "/real/file", RootfsPath.Resolve(_rootfs, "/l1/file"));
    }

    [Fact]
    public void Dot_dot_in_the_path_cannot_climb_above_the_rootfs()
    {
        Assert.Equal(_rootfs + "/usr/bin", RootfsPath.Resolve(_rootfs, "/../../etc/../usr/./bin"));
        Assert.Equal(_rootfs + "/etc", RootfsPath.Resolve(_rootfs, "../../../etc"));
    }

    [Fact]
    public void Dot_dot_after_a_symlink_goes_to_the_parent_of_the_link_target()
    {
        // As the kernel does it: /a/.. is the parent of where a points, not the directory holding a.
        _scratch.Dir("rootfs/b/c");
        _scratch.Symlink("rootfs/a", "/b/c");

        Assert.Equal(_rootfs + "/b/d", RootfsPath.Resolve(_rootfs, "/a/../d"));
    }

    [Fact]
    public void Symlink_loop_throws_an_IOException()
    {
        _scratch.Symlink("rootfs/loop1", "loop2");
        _scratch.Symlink("rootfs/loop2", "/loop1");

        var e = Assert.Throws<IOException>(() => RootfsPath.Resolve(_rootfs, "/loop1/x"));
        Assert.Equal($"too many levels of symbolic links resolving /loop1/x in {_rootfs}", e.Message);
    }

    [Fact]
    public void Components_that_do_not_exist_yet_are_kept_as_they_are()
    {
        _scratch.Dir("rootfs/data");

        Assert.Equal(_rootfs + "/data/not/there/yet", RootfsPath.Resolve(_rootfs, "/data/not/there/yet"));
    }

    [Fact]
    public void Root_and_empty_paths_resolve_to_the_rootfs_itself_whatever_the_trailing_slash()
    {
        Assert.Equal(_rootfs, RootfsPath.Resolve(_rootfs, "/"));
        Assert.Equal(_rootfs, RootfsPath.Resolve(_rootfs + "/", ""));
        Assert.Equal(_rootfs + "/dev", RootfsPath.Resolve(_rootfs + "/", "//dev/"));
    }
}
