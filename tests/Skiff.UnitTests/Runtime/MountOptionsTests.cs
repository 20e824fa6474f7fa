using Skiff.Engine.Containers;
using Skiff.Linux;
using Skiff.Runtime.Rootfs;

namespace Skiff.UnitTests.Runtime;

public sealed class MountOptionsTests
{
    private static MountOptions ParseDefault(string destination, bool privileged = false)
    {
        var m = DockerDefaults.Mounts(privileged).Single(m => m.Destination == destination);
        return MountOptions.Parse(m.Type, m.Options);
    }

    [Fact]
    public void Proc_gets_nosuid_noexec_nodev_as_flags_and_no_data()
    {
        Assert.Equal(new MountOptions(MountFlags.NoSuid | MountFlags.NoExec | MountFlags.NoDev, 0, null, false), ParseDefault("/proc"));
    }

    [Fact]
    public void Dev_tmpfs_passes_mode_and_size_to_the_filesystem_as_data()
    {
        Assert.Equal(new MountOptions(MountFlags.NoSuid | MountFlags.StrictAtime, 0, "mode=755,size=65536k", false), ParseDefault("/dev"));
    }

    [Fact]
    public void Devpts_keeps_newinstance_and_ptmxmode_in_data_in_their_order()
    {
        Assert.Equal(new MountOptions(MountFlags.NoSuid | MountFlags.NoExec, 0, "newinstance,ptmxmode=0666,mode=0620,gid=5", false),
            ParseDefault("/dev/pts"));
    }

    [Fact]
    public void Sys_is_read_only_by_default_and_read_write_when_privileged()
    {
        Assert.Equal(MountFlags.NoSuid | MountFlags.NoExec | MountFlags.NoDev | MountFlags.ReadOnly, ParseDefault("/sys").Flags);
        Assert.Equal(MountFlags.NoSuid | MountFlags.NoExec | MountFlags.NoDev, ParseDefault("/sys", privileged: true).Flags);
        Assert.Null(ParseDefault("/sys").Data);
    }

    [Fact]
    public void Dev_shm_is_a_tmpfs_with_sticky_mode_data()
    {
        Assert.Equal(new MountOptions(MountFlags.NoSuid | MountFlags.NoExec | MountFlags.NoDev, 0, "mode=1777,size=65536k", false),
            ParseDefault("/dev/shm"));
    }

    [Fact]
    public void Rbind_rprivate_file_bind_is_a_recursive_bind_with_recursive_private_propagation()
    {
        var o = MountOptions.Parse("bind", ["rbind", "rprivate"]);

        Assert.Equal(new MountOptions(MountFlags.Bind | MountFlags.Recursive, MountFlags.Private | MountFlags.Recursive, null, true), o);
        Assert.Equal(MountFlags.None, o.RemountFlags);
    }

    [Fact]
    public void Ro_bind_needs_a_read_only_remount()
    {
        var o = MountOptions.Parse(null, ["bind", "ro"]);

        Assert.True(o.IsBind);
        Assert.Equal(MountFlags.Bind | MountFlags.ReadOnly, o.Flags);
        Assert.Equal(MountFlags.ReadOnly, o.RemountFlags);
    }

    [Fact]
    public void Read_only_rbind_with_nosuid_remounts_with_both_but_not_recursive()
    {
        var o = MountOptions.Parse("none", ["rbind", "ro", "nosuid"]);

        Assert.Equal(MountFlags.ReadOnly | MountFlags.NoSuid, o.RemountFlags);
    }

    [Fact]
    public void Type_bind_alone_makes_a_bind_mount()
    {
        var o = MountOptions.Parse("bind", []);

        Assert.Equal(new MountOptions(MountFlags.Bind, 0, null, true), o);
    }

    [Fact]
    public void Rw_after_ro_clears_read_only_and_the_last_word_wins()
    {
        Assert.Equal(MountFlags.Bind, MountOptions.Parse("bind", ["ro", "rw"]).Flags);
        Assert.Equal(MountFlags.Bind | MountFlags.ReadOnly, MountOptions.Parse("bind", ["rw", "ro"]).Flags);
    }

    [Fact]
    public void Opposite_words_clear_their_flag()
    {
        var o = MountOptions.Parse("tmpfs", ["nosuid", "nodev", "noexec", "suid", "dev", "exec", "defaults"]);

        Assert.Equal(MountFlags.None, o.Flags);
        Assert.Null(o.Data);
    }

    [Fact]
    public void Only_the_last_propagation_word_counts()
    {
        Assert.Equal(MountFlags.Slave | MountFlags.Recursive, MountOptions.Parse("bind", ["rshared", "rslave"]).Propagation);
        Assert.Equal(MountFlags.Private, MountOptions.Parse("bind", ["private"]).Propagation);
    }

    [Fact]
    public void No_options_at_all_gives_no_flags_and_no_data()
    {
        Assert.Equal(new MountOptions(0, 0, null, false), MountOptions.Parse("proc", null));
    }
}
