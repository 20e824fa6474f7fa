using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Images;
using Skiff.Linux;
using Skiff.Runtime;
using Skiff.Runtime.Rootfs;
using Skiff.Runtime.Spec;
using static Skiff.UnitTests.Runtime.RecordingSyscalls;

namespace Skiff.UnitTests.Runtime;

public sealed class RootfsBuilderTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();
    private readonly RecordingSyscalls _sys;
    private readonly string _bundle;

    public RootfsBuilderTests()
    {
        _sys = new RecordingSyscalls(_scratch.Path);
        _bundle = _scratch.Dir("bundle");
        _scratch.Dir("bundle/rootfs");
        foreach (var f in new[] { "resolv.conf", "hostname", "hosts" }) _scratch.File("bundle/" + f, "x\n");
    }

    public void Dispose() => _scratch.Dispose();

    private static LocalImage Image(IReadOnlyList<string>? layers = null) => new(
        "busybox:latest",
        Digest.Parse("sha256:" + new string('a', 64)),
        Digest.Parse("sha256:" + new string('b', 64)),
        new ImageConfigInfo(["PATH=/bin"], null, ["sh"], null, null),
        layers ?? ["/layers/base", "/layers/middle", "/layers/top"]);

    private RuntimeSpec EngineSpec(bool privileged = false, bool readOnly = false, IReadOnlyList<string>? layers = null) =>
        ContainerSpecBuilder.Build(new RunRequest { Image = "busybox", Privileged = privileged, ReadOnlyRootfs = readOnly },
            Image(layers), "0123456789abcdef", _bundle, "0123456789ab");

    private static string[] Snapshots(int count) =>
        [.. Enumerable.Range(0, count).Select(i => $"/var/lib/skiff/snapshots/{i:x64}")];

    // The runtime makes root.path absolute against the bundle before init sees it.
    private RuntimeSpec Absolute(RuntimeSpec spec) => spec with { Root = spec.Root with { Path = Path.GetFullPath(spec.Root.Path, _bundle) } };

    private List<string> MountAndPivot(RuntimeSpec spec)
    {
        new RootfsBuilder(_sys).MountAndPivot(Absolute(spec));
        return _sys.Calls;
    }

    [Fact]
    public void Default_container_makes_exactly_these_calls_in_this_order()
    {
        var calls = MountAndPivot(EngineSpec());

        const MountFlags nosuid = MountFlags.NoSuid, noexec = MountFlags.NoExec, nodev = MountFlags.NoDev;
        string[] expected =
        [
            MountLine(null, "/", null, MountFlags.Recursive | MountFlags.Private, null),
            MountLine("overlay", "$root/bundle/rootfs", "overlay", MountFlags.None,
                "lowerdir=/layers/top:/layers/middle:/layers/base,upperdir=$root/bundle/upper,workdir=$root/bundle/work"),
            "mkdir $root/bundle/rootfs/proc",
            MountLine("proc", "$root/bundle/rootfs/proc", "proc", nosuid | noexec | nodev, null),
            "mkdir $root/bundle/rootfs/dev",
            MountLine("tmpfs", "$root/bundle/rootfs/dev", "tmpfs", nosuid | MountFlags.StrictAtime, "mode=755,size=65536k"),
            "mkdir $root/bundle/rootfs/dev/pts",
            MountLine("devpts", "$root/bundle/rootfs/dev/pts", "devpts", nosuid | noexec, "newinstance,ptmxmode=0666,mode=0620,gid=5"),
            "mkdir $root/bundle/rootfs/sys",
            MountLine("sysfs", "$root/bundle/rootfs/sys", "sysfs", nosuid | noexec | nodev | MountFlags.ReadOnly, null),
            "mkdir $root/bundle/rootfs/dev/mqueue",
            MountLine("mqueue", "$root/bundle/rootfs/dev/mqueue", "mqueue", nosuid | noexec | nodev, null),
            "mkdir $root/bundle/rootfs/dev/shm",
            MountLine("shm", "$root/bundle/rootfs/dev/shm", "tmpfs", nosuid | noexec | nodev, "mode=1777,size=65536k"),
            "touch $root/bundle/rootfs/etc/resolv.conf",
            MountLine("$root/bundle/resolv.conf", "$root/bundle/rootfs/etc/resolv.conf", null, MountFlags.Bind | MountFlags.Recursive, null),
            MountLine(null, "$root/bundle/rootfs/etc/resolv.conf", null, MountFlags.Recursive | MountFlags.Private, null),
            "touch $root/bundle/rootfs/etc/hostname",
            MountLine("$root/bundle/hostname", "$root/bundle/rootfs/etc/hostname", null, MountFlags.Bind | MountFlags.Recursive, null),
            MountLine(null, "$root/bundle/rootfs/etc/hostname", null, MountFlags.Recursive | MountFlags.Private, null),
            "touch $root/bundle/rootfs/etc/hosts",
            MountLine("$root/bundle/hosts", "$root/bundle/rootfs/etc/hosts", null, MountFlags.Bind | MountFlags.Recursive, null),
            MountLine(null, "$root/bundle/rootfs/etc/hosts", null, MountFlags.Recursive | MountFlags.Private, null),
            "mknod $root/bundle/rootfs/dev/null 666 1:3",
            "mknod $root/bundle/rootfs/dev/zero 666 1:5",
            "mknod $root/bundle/rootfs/dev/full 666 1:7",
            "mknod $root/bundle/rootfs/dev/random 666 1:8",
            "mknod $root/bundle/rootfs/dev/urandom 666 1:9",
            "mknod $root/bundle/rootfs/dev/tty 666 5:0",
            "symlink $root/bundle/rootfs/dev/fd -> /proc/self/fd",
            "symlink $root/bundle/rootfs/dev/stdin -> /proc/self/fd/0",
            "symlink $root/bundle/rootfs/dev/stdout -> /proc/self/fd/1",
            "symlink $root/bundle/rootfs/dev/stderr -> /proc/self/fd/2",
            "symlink $root/bundle/rootfs/dev/ptmx -> pts/ptmx",
            "symlink $root/bundle/rootfs/dev/core -> /proc/kcore",
            "chdir $root/bundle/rootfs",
            "pivot_root . .",
            "umount . detach",
            "chdir /",
        ];
        Assert.Equal(expected, calls);
    }

    [Fact]
    public void Host_mounts_are_made_recursively_private_before_any_other_mount()
    {
        var calls = MountAndPivot(EngineSpec());

        Assert.Equal(MountLine(null, "/", null, MountFlags.Recursive | MountFlags.Private, null), calls[0]);
    }

    [Fact]
    public void Overlay_lists_the_top_layer_first_then_upper_and_work_dirs()
    {
        var calls = MountAndPivot(EngineSpec());

        var overlay = Assert.Single(calls, c => c.StartsWith("mount overlay ", StringComparison.Ordinal));
        Assert.EndsWith(" lowerdir=/layers/top:/layers/middle:/layers/base,upperdir=$root/bundle/upper,workdir=$root/bundle/work", overlay);
        Assert.Equal(1, calls.IndexOf(overlay));
    }

    [Fact]
    public void Layers_too_many_to_name_absolutely_in_a_page_are_named_from_their_directory()
    {
        var calls = MountAndPivot(EngineSpec(layers: Snapshots(50)));

        var overlay = Assert.Single(calls, c => c.StartsWith("mount overlay ", StringComparison.Ordinal));
        Assert.Equal("chdir /var/lib/skiff/snapshots", calls[calls.IndexOf(overlay) - 1]);
        Assert.Contains($" lowerdir={49:x64}:{48:x64}:", overlay);
        Assert.EndsWith($":{0:x64},upperdir=$root/bundle/upper,workdir=$root/bundle/work", overlay);
    }

    [Fact]
    public void Layers_too_many_for_a_page_even_by_name_are_refused_with_the_count()
    {
        var error = Assert.Throws<ContainerStartException>(() => MountAndPivot(EngineSpec(layers: Snapshots(70))));

        Assert.Contains("70 layers", error.Message);
        Assert.DoesNotContain(_sys.Calls, c => c.StartsWith("mount overlay ", StringComparison.Ordinal));
    }

    [Fact]
    public void Overlay_data_for_a_single_layer_image()
    {
        Assert.Equal("lowerdir=/l/0,upperdir=/b/upper,workdir=/b/work",
            OverlayMount.Data(["/l/0"], "/b/upper", "/b/work"));
    }

    [Fact]
    public void Proc_is_mounted_before_dev_and_dev_before_dev_pts()
    {
        var calls = MountAndPivot(EngineSpec());

        var proc = calls.FindIndex(c => c.StartsWith("mount proc ", StringComparison.Ordinal));
        var dev = calls.FindIndex(c => c.StartsWith("mount tmpfs $root/bundle/rootfs/dev ", StringComparison.Ordinal));
        var pts = calls.FindIndex(c => c.StartsWith("mount devpts ", StringComparison.Ordinal));
        Assert.True(proc >= 0 && dev >= 0 && pts >= 0, string.Join('\n', calls));
        Assert.True(proc < dev && dev < pts, $"proc at {proc}, dev at {dev}, devpts at {pts}");
    }

    [Fact]
    public void Pivot_root_comes_after_every_mount_and_the_old_root_is_detached()
    {
        var calls = MountAndPivot(EngineSpec());

        var pivot = calls.IndexOf("pivot_root . .");
        var lastMount = calls.FindLastIndex(c => c.StartsWith("mount ", StringComparison.Ordinal));
        Assert.True(lastMount < pivot, $"last mount at {lastMount}, pivot_root at {pivot}");
        Assert.Equal("chdir $root/bundle/rootfs", calls[pivot - 1]);
        Assert.Equal(["umount . detach", "chdir /"], calls[(pivot + 1)..]);
    }

    [Fact]
    public void Bundle_without_overlay_bind_mounts_the_rootfs_onto_itself_for_pivot_root()
    {
        var spec = new RuntimeSpec { Root = new RootSpec { Path = "rootfs" } };

        var calls = MountAndPivot(spec);

        Assert.Equal(MountLine("$root/bundle/rootfs", "$root/bundle/rootfs", null, MountFlags.Bind | MountFlags.Recursive, null), calls[1]);
    }

    [Fact]
    public void A_bound_dev_gets_no_device_nodes_of_our_own()
    {
        var hostDev = _scratch.Dir("hostdev");
        var spec = new RuntimeSpec
        {
            Mounts = [new MountSpec { Destination = "/dev", Type = "bind", Source = hostDev, Options = ["rbind"] }],
        };

        var calls = MountAndPivot(spec);

        Assert.DoesNotContain(calls, c => c.StartsWith("mknod ", StringComparison.Ordinal));
        Assert.Contains("mkdir $root/bundle/rootfs/dev", calls);
    }

    [Fact]
    public void Read_only_bind_mount_is_bound_then_remounted_read_only()
    {
        var data = _scratch.Dir("data");
        var spec = new RuntimeSpec
        {
            Mounts = [new MountSpec { Destination = "/data", Type = "bind", Source = data, Options = ["rbind", "ro"] }],
        };

        var calls = MountAndPivot(spec);

        var bind = calls.IndexOf(MountLine("$root/data", "$root/bundle/rootfs/data", null, MountFlags.Bind | MountFlags.Recursive, null));
        Assert.True(bind > 0, string.Join('\n', calls));
        Assert.Equal("mkdir $root/bundle/rootfs/data", calls[bind - 1]);
        Assert.Equal(MountLine(null, "$root/bundle/rootfs/data", null, MountFlags.ReadOnly | MountFlags.Remount | MountFlags.Bind, null), calls[bind + 1]);
        // rbind brings the source's submounts along: they are made read-only as well.
        Assert.Equal("mount_setattr $root/bundle/rootfs/data recursive ro", calls[bind + 2]);
    }

    [Fact]
    public void Mount_destination_through_an_absolute_symlink_stays_inside_the_rootfs()
    {
        _scratch.Dir("bundle/rootfs/srv/real");
        _scratch.Symlink("bundle/rootfs/data", "/srv/real");
        var spec = new RuntimeSpec { Mounts = [new MountSpec { Destination = "/data/cache", Type = "tmpfs", Source = "tmpfs" }] };

        var calls = MountAndPivot(spec);

        Assert.Contains(MountLine("tmpfs", "$root/bundle/rootfs/srv/real/cache", "tmpfs", MountFlags.None, null), calls);
    }

    [Fact]
    public void Bind_mount_without_source_is_rejected_naming_the_destination()
    {
        var spec = new RuntimeSpec { Mounts = [new MountSpec { Destination = "/data", Type = "bind" }] };

        var e = Assert.Throws<InvalidInputException>(() => new RootfsBuilder(_sys).MountAndPivot(Absolute(spec)));
        Assert.Equal("bind mount on /data has no source", e.Message);
    }

    [Fact]
    public void Finish_masks_directories_with_read_only_tmpfs_and_files_with_dev_null()
    {
        var spec = new RuntimeSpec
        {
            Linux = new LinuxSpec
            {
                MaskedPaths = [_scratch.Dir("proc/acpi"), _scratch.File("proc/kcore"), _scratch["proc/missing"]],
            },
        };

        new RootfsBuilder(_sys).Finish(spec);

        Assert.Equal(
        [
            MountLine("tmpfs", "$root/proc/acpi", "tmpfs", MountFlags.ReadOnly, null),
            MountLine("/dev/null", "$root/proc/kcore", null, MountFlags.Bind, null),
        ], _sys.Calls);
    }

    [Fact]
    public void Finish_binds_read_only_paths_onto_themselves_and_remounts_them_read_only()
    {
        var spec = new RuntimeSpec
        {
            Linux = new LinuxSpec { ReadonlyPaths = [_scratch.Dir("proc/sys"), _scratch["proc/absent"], _scratch.File("proc/sysrq-trigger")] },
        };

        new RootfsBuilder(_sys).Finish(spec);

        const MountFlags rebind = MountFlags.Bind | MountFlags.Remount | MountFlags.ReadOnly | MountFlags.Recursive;
        Assert.Equal(
        [
            MountLine("$root/proc/sys", "$root/proc/sys", null, MountFlags.Bind | MountFlags.Recursive, null),
            MountLine(null, "$root/proc/sys", null, rebind, null),
            MountLine("$root/proc/sysrq-trigger", "$root/proc/sysrq-trigger", null, MountFlags.Bind | MountFlags.Recursive, null),
            MountLine(null, "$root/proc/sysrq-trigger", null, rebind, null),
        ], _sys.Calls);
    }

    [Fact]
    public void Read_only_root_is_remounted_read_only_last()
    {
        var spec = new RuntimeSpec
        {
            Root = new RootSpec { Readonly = true },
            Linux = new LinuxSpec { MaskedPaths = [_scratch.Dir("masked")] },
        };

        new RootfsBuilder(_sys).Finish(spec);

        Assert.Equal(2, _sys.Calls.Count);
        Assert.Equal(MountLine(null, "/", null, MountFlags.Bind | MountFlags.Remount | MountFlags.ReadOnly, null), _sys.Calls[^1]);
    }

    [Fact]
    public void Writable_privileged_container_needs_nothing_from_finish()
    {
        new RootfsBuilder(_sys).Finish(EngineSpec(privileged: true));

        Assert.Empty(_sys.Calls);
    }

    [Fact]
    public void Engine_read_only_flag_reaches_finish_as_a_root_remount()
    {
        new RootfsBuilder(_sys).Finish(EngineSpec(privileged: true, readOnly: true));

        Assert.Equal([MountLine(null, "/", null, MountFlags.Bind | MountFlags.Remount | MountFlags.ReadOnly, null)], _sys.Calls);
    }
}
