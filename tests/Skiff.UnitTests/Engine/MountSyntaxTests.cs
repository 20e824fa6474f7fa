using Skiff.Linux;
using Skiff.Engine.Containers;
using Skiff.Engine.State;
using Skiff.Engine.Volumes;
using Skiff.Images;
using Skiff.Engine;

namespace Skiff.UnitTests.Engine;

public sealed class MountSyntaxTests
{
    // ---- -v

    [Fact]
    public void Volume_flag_with_an_absolute_source_is_a_bind_that_creates_its_host_directory()
    {
        var m = MountSyntax.ParseVolume("/srv/data/:/data");

        Assert.Equal(new MountRequest { Type = MountType.Bind, Source = "/srv/data", Target = "/data", CreateHostPath = true }, m);
    }

    [Fact]
    public void Volume_flag_modes_set_read_only_and_propagation()
    {
        var m = MountSyntax.ParseVolume("/srv:/data:ro,rshared");

        Assert.True(m.ReadOnly);
        Assert.Equal("rshared", m.Propagation);
        Assert.Equal("ro,rshared", m.Mode);
    }

    [Fact]
    public void Volume_flag_with_a_name_is_a_named_volume()
    {
        var m = MountSyntax.ParseVolume("data:/var/lib/db:nocopy");

        Assert.Equal(MountType.Volume, m.Type);
        Assert.Equal("data", m.Source);
        Assert.Equal("/var/lib/db", m.Target);
        Assert.True(m.NoCopy);
        Assert.False(m.Anonymous);
    }

    [Fact]
    public void Volume_flag_with_only_a_target_is_an_anonymous_volume()
    {
        var m = MountSyntax.ParseVolume("/cache");

        Assert.Equal(new MountRequest { Type = MountType.Volume, Target = "/cache", Anonymous = true, CreateHostPath = true }, m);
    }

    [Fact]
    public void Volume_flag_relative_source_is_made_absolute_like_the_docker_cli_does()
    {
        Assert.Equal(Path.GetFullPath("./sub"), MountSyntax.ParseVolume("./sub:/x").Source);
    }

    [Theory]
    [InlineData("", "invalid volume specification: ''")]
    [InlineData(":/x", "invalid volume specification: ':/x'")]
    [InlineData("/x:rw", "invalid volume specification: '/x:rw'")]
    [InlineData("/a:/b:ro:x", "invalid volume specification: '/a:/b:ro:x'")]
    [InlineData("/a:/b:rx", "invalid mode: rx")]
    [InlineData("/a:/b:ro,rw", "invalid mode: ro,rw")]
    [InlineData("/a:b", "invalid mount config for type \"bind\": invalid mount path: 'b' mount path must be absolute")]
    [InlineData("data:/", "invalid mount config for type \"volume\": invalid specification: destination can't be '/'")]
    [InlineData("/a:/b:nocopy", "invalid mount config for type \"bind\": field VolumeOptions must not be specified")]
    [InlineData("my data:/x", "\"my data\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path")]
    public void Volume_flag_errors_are_dockers(string spec, string message)
    {
        Assert.Equal(message, Assert.Throws<InvalidInputException>(() => MountSyntax.ParseVolume(spec)).Message);
    }

    // ---- --mount

    [Fact]
    public void Mount_flag_defaults_to_a_volume_and_takes_every_spelling_of_its_keys()
    {
        Assert.Equal(MountSyntax.ParseMount("source=data,target=/d,readonly") with { TmpfsOptions = [] },
            MountSyntax.ParseMount("type=volume,src=data,dst=/d,ro=true") with { TmpfsOptions = [] });
        var m = MountSyntax.ParseMount("src=data,destination=/d,volume-nocopy");
        Assert.Equal((MountType.Volume, "data", "/d", true, false), (m.Type, m.Source, m.Target, m.NoCopy, m.CreateHostPath));
    }

    [Fact]
    public void Mount_flag_without_a_source_is_an_anonymous_volume()
    {
        Assert.True(MountSyntax.ParseMount("type=volume,target=/d").Anonymous);
    }

    [Fact]
    public void Mount_flag_bind_needs_an_existing_source_and_never_creates_it()
    {
        var m = MountSyntax.ParseMount("type=bind,source=/tmp,target=/host-tmp,bind-propagation=rslave,readonly=false");

        Assert.Equal(new MountRequest { Type = MountType.Bind, Source = "/tmp", Target = "/host-tmp", Propagation = "rslave" }, m with { TmpfsOptions = [] });
        Assert.Equal("invalid mount config for type \"bind\": bind source path does not exist: /no/such/dir",
            Assert.Throws<InvalidInputException>(() => MountSyntax.ParseMount("type=bind,source=/no/such/dir,target=/x")).Message);
    }

    [Fact]
    public void Mount_flag_tmpfs_size_and_mode_become_tmpfs_options()
    {
        var m = MountSyntax.ParseMount("type=tmpfs,target=/run/x,tmpfs-size=64m,tmpfs-mode=1770");

        Assert.Equal(["size=67108864", "mode=1770"], m.TmpfsOptions);
        Assert.Null(m.Source);
    }

    [Theory]
    [InlineData("type=bind,target=/x", "invalid mount config for type \"bind\": field Source must not be empty")]
    [InlineData("type=volume,source=v", "target is required")]
    [InlineData("type=nfs,target=/x", "invalid mount config for type \"nfs\": mount type unknown (use bind, volume or tmpfs)")]
    [InlineData("type=tmpfs,source=x,target=/x", "invalid mount config for type \"tmpfs\": source must not be specified")]
    [InlineData("type=tmpfs,target=/x,volume-nocopy", "cannot mix 'volume-*' options with mount type 'tmpfs'")]
    [InlineData("type=volume,target=/x,tmpfs-size=1m", "cannot mix 'tmpfs-*' options with mount type 'volume'")]
    [InlineData("type=volume,target=/x,bind-propagation=shared", "cannot mix 'bind-*' options with mount type 'volume'")]
    [InlineData("target=/x,colour=blue", "unexpected key 'colour' in 'colour=blue'")]
    [InlineData("target=/x,bogus", "invalid field 'bogus' must be a key=value pair")]
    [InlineData("target=/x,readonly=maybe", "invalid value for readonly: maybe")]
    [InlineData("type=tmpfs,target=/x,tmpfs-mode=9", "invalid value for tmpfs-mode: 9")]
    [InlineData("type=tmpfs,target=/x,tmpfs-size=lots", "invalid value for tmpfs-size: lots")]
    public void Mount_flag_errors_are_dockers(string spec, string message)
    {
        Assert.Equal(message, Assert.Throws<InvalidInputException>(() => MountSyntax.ParseMount(spec)).Message);
    }

    // ---- --tmpfs

    [Fact]
    public void Tmpfs_flag_takes_mount_options_after_a_colon()
    {
        var m = MountSyntax.ParseTmpfs("/scratch:size=1m,mode=1777,ro,exec");

        Assert.Equal((MountType.Tmpfs, "/scratch", true), (m.Type, m.Target, m.ReadOnly));
        Assert.Equal(["size=1m", "mode=1777", "exec"], m.TmpfsOptions);
        Assert.Empty(MountSyntax.ParseTmpfs("/run").TmpfsOptions);
    }

    [Fact]
    public void Tmpfs_flag_refuses_unknown_options_and_relative_paths()
    {
        Assert.Contains("invalid tmpfs option \"colour=red\"", Assert.Throws<InvalidInputException>(() => MountSyntax.ParseTmpfs("/x:colour=red")).Message);
        Assert.Contains("mount path must be absolute", Assert.Throws<InvalidInputException>(() => MountSyntax.ParseTmpfs("x")).Message);
    }

    [Fact]
    public void Two_mounts_on_one_target_are_refused()
    {
        var mounts = new[] { MountSyntax.ParseVolume("ab:/data"), MountSyntax.ParseTmpfs("/data/") };

        Assert.Equal("Duplicate mount point: /data", Assert.Throws<InvalidInputException>(() => MountSyntax.CheckDuplicates(mounts)).Message);
    }

    // ---- the OCI spec

    private static LocalImage Image() => new("busybox", Digest.Parse("sha256:" + new string('c', 64)),
        Digest.Parse("sha256:" + new string('d', 64)), new ImageConfigInfo(["PATH=/bin"], null, ["sh"], null, null), ["/snapshots/1"]);

    [Fact]
    public void Mounts_become_oci_mounts_parents_first_after_the_defaults()
    {
        var request = new RunRequest
        {
            Image = "busybox",
            Mounts =
            [
                MountSyntax.ParseTmpfs("/data/tmp:size=1m"),
                MountSyntax.ParseVolume("/srv:/data:ro") with { HostPath = "/srv" },
                MountSyntax.ParseVolume("db:/db") with { HostPath = "/var/lib/skiff/volumes/db/_data" },
            ],
        };

        var mounts = ContainerSpecBuilder.Build(request, Image(), new string('a', 64), "/b", "h").Mounts;

        var user = mounts.Where(m => m.Destination is "/data" or "/db" or "/data/tmp").ToList();
        Assert.Equal(["/data", "/db", "/data/tmp"], user.Select(m => m.Destination));
        Assert.Equal(("bind", "/srv"), (user[0].Type, user[0].Source));
        Assert.Equal(["rbind", "ro", "rprivate"], user[0].Options);
        Assert.Equal(["rbind", "rw", "rprivate"], user[1].Options);
        Assert.Equal(("tmpfs", "tmpfs"), (user[2].Type, user[2].Source));
        Assert.Equal(["noexec", "nosuid", "nodev", "size=1m"], user[2].Options);
        Assert.True(mounts.FindIndex(m => m.Destination == "/dev/shm") < mounts.FindIndex(m => m.Destination == "/data"));
        Assert.True(mounts.FindIndex(m => m.Destination == "/data/tmp") < mounts.FindIndex(m => m.Destination == "/etc/hosts"));
    }

    [Fact]
    public void A_users_mount_of_etc_hosts_replaces_skiffs_own()
    {
        var request = new RunRequest { Image = "busybox", Mounts = [MountSyntax.ParseVolume("/mine/hosts:/etc/hosts:ro") with { HostPath = "/mine/hosts" }] };

        var hosts = ContainerSpecBuilder.Build(request, Image(), new string('a', 64), "/b", "h").Mounts.Where(m => m.Destination == "/etc/hosts");

        Assert.Equal("/mine/hosts", Assert.Single(hosts).Source);
    }
}

public sealed class VolumeStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("skiff-volumes").FullName;

    private static ContainerRecord Container(string id, params MountRequest[] mounts) => new()
    {
        Id = id.PadRight(64, '0'), Name = "c" + id, Image = "busybox", ImageId = "sha256:" + new string('a', 64),
        Created = DateTime.UtcNow, Request = new RunRequest { Image = "busybox", Mounts = mounts },
    };

    [Fact]
    public void A_volume_is_created_once_with_its_directory_and_labels()
    {
        using var db = new StateDatabase(_root);
        var volumes = new VolumeStore(db, new SkiffPaths(_root));

        var made = volumes.Create("data", new Dictionary<string, string> { ["team"] = "a" });
        var again = volumes.Create("data");

        Assert.Equal(made, again with { Labels = made.Labels });
        Assert.Equal("a", volumes.Find("data").Labels["team"]);
        Assert.True(Directory.Exists(Path.Join(_root, "volumes", "data", "_data")));
        Assert.Equal(["data"], volumes.List().Select(v => v.Name));
        Assert.Equal("no such volume: nope (see `skiff volume ls` for the volumes there are)", Assert.Throws<NoSuchVolumeException>(() => volumes.Find("nope")).Message);
    }

    [Fact]
    public void A_volume_a_container_mounts_is_kept_until_forced()
    {
        using var db = new StateDatabase(_root);
        var volumes = new VolumeStore(db, new SkiffPaths(_root));
        volumes.Create("data");
        new ContainerStore(db).Insert(Container("abc", new MountRequest { Type = MountType.Volume, Source = "data", Target = "/d" }));

        var refused = Assert.Throws<ConflictException>(() => volumes.Remove("data", force: false));
        Assert.StartsWith("remove data: volume is in use - [abc", refused.Message);
        volumes.Remove("data", force: true);
        Assert.Empty(volumes.List());
        Assert.False(Directory.Exists(Path.Join(_root, "volumes", "data")));
    }

    [Fact]
    public void Prune_removes_unused_anonymous_volumes_and_with_all_the_named_ones()
    {
        using var db = new StateDatabase(_root);
        var volumes = new VolumeStore(db, new SkiffPaths(_root));
        var anonymous = new Dictionary<string, string> { [VolumeRecord.AnonymousLabel] = "" };
        var unusedAnon = volumes.Create(null, anonymous).Name;
        var usedAnon = volumes.Create(null, anonymous).Name;
        volumes.Create("named");
        new ContainerStore(db).Insert(Container("abc", new MountRequest { Type = MountType.Volume, Source = usedAnon, Target = "/d", Anonymous = true }));

        Assert.Equal([unusedAnon], volumes.Prune(all: false).Deleted);
        Assert.Equal(["named"], volumes.Prune(all: true).Deleted);
        Assert.Equal([usedAnon], volumes.List().Select(v => v.Name));
    }

    [Fact]
    public void Mounts_survive_a_round_trip_through_the_container_record()
    {
        using var db = new StateDatabase(_root);
        var store = new ContainerStore(db);
        var mount = MountSyntax.ParseMount("type=tmpfs,target=/t,tmpfs-size=1k") with { ReadOnly = true };
        store.Insert(Container("abc", mount));

        Assert.Equal(mount.TmpfsOptions, store.Find("cabc").Request.Mounts.Single().TmpfsOptions);
        Assert.Equal(mount with { TmpfsOptions = [] }, store.Find("cabc").Request.Mounts.Single() with { TmpfsOptions = [] });
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
