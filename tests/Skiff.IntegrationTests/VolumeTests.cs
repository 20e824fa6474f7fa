using System.Text.Json;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

public sealed class VolumeTests : IDisposable
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];
    private readonly string _hostDir = Directory.CreateTempSubdirectory("skiff-volume-test").FullName;
    private readonly List<string> _containers = [];
    private readonly List<string> _volumes = [];

    private string Volume(string name)
    {
        var full = $"{name}-{_suffix}";
        _volumes.Add(full);
        return full;
    }

    private string Container(string name)
    {
        var full = $"{name}-{_suffix}";
        _containers.Add(full);
        return full;
    }

    private static RunResult Ok(params string[] args)
    {
        var r = RunSkiff(args);
        Assert.True(r.ExitCode == 0, $"skiff {string.Join(' ', args)}\n{r}");
        return r;
    }

    [Fact]
    public void Bind_mount_is_shared_with_the_host_and_ro_refuses_writes()
    {
        File.WriteAllText(Path.Join(_hostDir, "from-host"), "hello\n");

        var rw = Ok("run", "--rm", "-v", $"{_hostDir}:/data", "busybox", "sh", "-c", "cat /data/from-host; echo back > /data/from-container");
        Assert.Equal("hello\n", rw.Stdout);
        Assert.Equal("back\n", File.ReadAllText(Path.Join(_hostDir, "from-container")));

        var ro = RunSkiff("run", "--rm", "-v", $"{_hostDir}:/data:ro", "busybox", "sh", "-c", "cat /data/from-host; echo x > /data/refused");
        Assert.Equal("hello\n", ro.Stdout);
        Assert.Contains("Read-only file system", ro.Stderr);
        Assert.NotEqual(0, ro.ExitCode);
        Assert.False(File.Exists(Path.Join(_hostDir, "refused")));

        // A mount below the bound directory comes along with it, read-only as well.
        var sub = Directory.CreateDirectory(Path.Join(_hostDir, "sub")).FullName;
        Assert.Equal(0, Sh($"mount -t tmpfs sub-test {sub}").ExitCode);
        try
        {
            var below = RunSkiff("run", "--rm", "-v", $"{_hostDir}:/data:ro", "busybox", "sh", "-c", "grep -c ' /data/sub ' /proc/mounts; touch /data/sub/refused");
            Assert.Equal("1\n", below.Stdout);
            Assert.Contains("Read-only file system", below.Stderr);
        }
        finally
        {
            Sh($"umount {sub}");
        }
    }

    [Fact]
    public void Bind_of_a_missing_host_path_creates_it_with_v_and_is_refused_with_mount()
    {
        var missing = Path.Join(_hostDir, "made", "by", "skiff");

        Ok("run", "--rm", "-v", $"{missing}:/data", "busybox", "true");
        Assert.True(Directory.Exists(missing));

        var refused = RunSkiff("run", "--rm", "--mount", $"type=bind,source={_hostDir}/absent,target=/data", "busybox", "true");
        Assert.Equal(125, refused.ExitCode);
        Assert.Equal($"skiff: invalid mount config for type \"bind\": bind source path does not exist: {_hostDir}/absent\n", refused.Stderr);
    }

    [Fact]
    public void Named_volume_is_created_on_demand_and_outlives_its_containers()
    {
        var data = Volume("data");

        Ok("run", "--rm", "-v", $"{data}:/data", "busybox", "sh", "-c", "echo kept > /data/file");
        Assert.Equal("kept\n", Ok("run", "--rm", "--mount", $"source={data},target=/elsewhere,readonly", "busybox", "cat", "/elsewhere/file").Stdout);

        Assert.Contains($"local     {data}\n", Ok("volume", "ls").Stdout);
    }

    [Fact]
    public void A_new_volume_is_filled_from_the_image_and_keeps_its_own_changes()
    {
        var etc = Volume("etc");

        var first = Ok("run", "--rm", "-v", $"{etc}:/etc", "busybox", "sh", "-c", "grep -c root /etc/passwd; stat -c '%a %u' /etc/passwd; rm /etc/group; echo mine > /etc/added");
        Assert.Equal("1\n644 0\n", first.Stdout);

        // Not filled again: the volume is no longer empty, so the image's /etc/group stays deleted.
        var second = Ok("run", "--rm", "-v", $"{etc}:/etc", "busybox", "sh", "-c", "cat /etc/added; test -e /etc/group && echo group || echo no-group");
        Assert.Equal("mine\nno-group\n", second.Stdout);

        var nocopy = Volume("nocopy");
        Assert.Equal("0\n", Ok("run", "--rm", "-v", $"{nocopy}:/etc:nocopy", "busybox", "sh", "-c", "ls /etc | grep -c passwd || true").Stdout);
    }

    [Fact]
    public void A_new_volume_is_filled_from_the_merged_layers_of_the_image()
    {
        // Two layers, the upper adding a file and whiting one out: the volume gets what the container would see.
        var image = $"skiff-test/layered-{_suffix}";
        var made = Sh($"set -e; cd {_hostDir}; mkdir -p l1/bin l1/etc l2/etc; cp /bin/busybox l1/bin/; ln -s busybox l1/bin/ls; " +
            "echo one > l1/etc/first; echo gone > l1/etc/removed; echo two > l2/etc/second; touch l2/etc/.wh.removed; " +
            "tar -C l1 -cf 1.tar .; tar -C l2 -cf 2.tar .; " +
            "h1=$(sha256sum 1.tar | cut -d' ' -f1); h2=$(sha256sum 2.tar | cut -d' ' -f1); " +
            "printf '{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:%s\",\"sha256:%s\"]}}' $h1 $h2 > config.json; " +
            $"printf '[{{\"Config\":\"config.json\",\"RepoTags\":[\"{image}:latest\"],\"Layers\":[\"1.tar\",\"2.tar\"]}}]' > manifest.json; " +
            "tar -cf image.tar manifest.json config.json 1.tar 2.tar");
        Assert.True(made.ExitCode == 0, made.ToString());
        Ok("load", "-i", Path.Join(_hostDir, "image.tar"));
        try
        {
            var layered = Volume("layered");
            Ok("run", "--rm", "-v", $"{layered}:/etc", image, "/bin/ls", "/etc");
            var data = Path.Join(StateRoot, "volumes", layered, "_data");
            Assert.Equal("one\n", File.ReadAllText(Path.Join(data, "first")));
            Assert.Equal("two\n", File.ReadAllText(Path.Join(data, "second")));
            Assert.False(File.Exists(Path.Join(data, "removed")));
        }
        finally
        {
            RunSkiff("rmi", image);
        }
    }

    [Fact]
    public void Anonymous_volume_goes_with_rm_v_and_is_named_in_inspect()
    {
        var name = Container("anon");
        Ok("create", "--name", name, "-v", "/cache", "busybox", "true");

        using var inspect = JsonDocument.Parse(Ok("inspect", name).Stdout);
        var mount = inspect.RootElement[0].GetProperty("Mounts")[0];
        Assert.Equal("volume", mount.GetProperty("Type").GetString());
        Assert.Equal("/cache", mount.GetProperty("Destination").GetString());
        Assert.Equal("local", mount.GetProperty("Driver").GetString());
        Assert.True(mount.GetProperty("RW").GetBoolean());
        var volume = mount.GetProperty("Name").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", volume);
        Assert.Equal(Path.Join(StateRoot, "volumes", volume, "_data"), mount.GetProperty("Source").GetString());
        Assert.Contains(volume, Ok("volume", "ls", "-q").Stdout);

        // A create that fails (the name is taken) leaves no anonymous volume behind.
        var before = Ok("volume", "ls", "-q").Stdout;
        Assert.Equal(125, RunSkiff("create", "--name", name, "-v", "/other", "busybox", "true").ExitCode);
        Assert.Equal(before, Ok("volume", "ls", "-q").Stdout);

        Ok("rm", "-v", name);
        Assert.DoesNotContain(volume, Ok("volume", "ls", "-q").Stdout);
        Assert.False(Directory.Exists(Path.Join(StateRoot, "volumes", volume)));
    }

    [Fact]
    public void Tmpfs_mounts_are_tmpfs_with_the_options_asked_for()
    {
        var r = Ok("run", "--rm", "--tmpfs", "/scratch:size=1m,mode=1700", "--mount", "type=tmpfs,target=/fast,tmpfs-size=2m",
            "busybox", "sh", "-c", "grep ' /scratch ' /proc/mounts | cut -d' ' -f1-4; grep ' /fast ' /proc/mounts | cut -d' ' -f1-4; stat -c %a /scratch");
        Assert.Equal(
            "tmpfs /scratch tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k,mode=1700\n" +
            "tmpfs /fast tmpfs rw,nosuid,nodev,noexec,relatime,size=2048k\n1700\n", r.Stdout);
    }

    [Fact]
    public void Mount_flag_binds_and_reports_bind_details_in_inspect()
    {
        var name = Container("mount");
        Ok("create", "--name", name, "--mount", $"type=bind,source={_hostDir},target=/host,readonly", "busybox", "true");

        using var inspect = JsonDocument.Parse(Ok("inspect", name).Stdout);
        var mount = inspect.RootElement[0].GetProperty("Mounts")[0];
        Assert.Equal("bind", mount.GetProperty("Type").GetString());
        Assert.Equal(_hostDir, mount.GetProperty("Source").GetString());
        Assert.Equal("/host", mount.GetProperty("Destination").GetString());
        Assert.False(mount.GetProperty("RW").GetBoolean());
        Assert.Equal("rprivate", mount.GetProperty("Propagation").GetString());
        Assert.False(mount.TryGetProperty("Name", out _));
    }

    [Fact]
    public void A_mount_target_that_is_a_symlink_in_the_image_stays_inside_the_rootfs()
    {
        var image = $"skiff-test/linked-{_suffix}";
        var rootfs = Path.Join(_hostDir, "rootfs");
        var tar = Path.Join(_hostDir, "rootfs.tar");
        var made = Sh($"set -e; mkdir -p {rootfs}/bin {rootfs}/etc; cp /bin/busybox {rootfs}/bin/busybox; " +
            $"for a in sh cat ls; do ln -s busybox {rootfs}/bin/$a; done; echo image > {rootfs}/etc/marker; " +
            $"ln -s /etc {rootfs}/link; ln -s ../../etc {rootfs}/up; tar -C {rootfs} -cf {tar} .");
        Assert.True(made.ExitCode == 0, made.ToString());
        Ok("import", tar, image);
        try
        {
            File.WriteAllText(Path.Join(_hostDir, "bound"), "bound\n");
            // The bind lands on the container's /etc (where the link points inside the image), not on the host's.
            var bind = Ok("run", "--rm", "-v", $"{_hostDir}:/link", image, "/bin/sh", "-c", "cat /etc/bound; ls /link/bound");
            Assert.Equal("bound\n/link/bound\n", bind.Stdout);
            Assert.False(File.Exists("/etc/bound"));

            // A volume on the link is filled from the image's /etc, never the host's; ".." cannot climb out either.
            var linked = Volume("linked");
            Assert.Equal("image\n", Ok("run", "--rm", "-v", $"{linked}:/up", image, "/bin/cat", "/etc/marker").Stdout);
            var copied = Ok("volume", "inspect", linked);
            using var doc = JsonDocument.Parse(copied.Stdout);
            var data = doc.RootElement[0].GetProperty("Mountpoint").GetString()!;
            var entries = Directory.GetFileSystemEntries(data).Select(Path.GetFileName).ToList();
            Assert.Contains("marker", entries);
            Assert.DoesNotContain("passwd", entries);
        }
        finally
        {
            RunSkiff("rmi", image);
        }
    }

    [Fact]
    public void Volume_verbs_create_list_inspect_remove_and_prune()
    {
        var made = Volume("made");
        Assert.Equal(made + "\n", Ok("volume", "create", "--label", "team=storage", made).Stdout);
        Assert.Equal(made + "\n", Ok("volume", "create", made).Stdout);

        using (var inspect = JsonDocument.Parse(Ok("volume", "inspect", made).Stdout))
        {
            var v = inspect.RootElement[0];
            Assert.Equal(made, v.GetProperty("Name").GetString());
            Assert.Equal("local", v.GetProperty("Driver").GetString());
            Assert.Equal("storage", v.GetProperty("Labels").GetProperty("team").GetString());
            Assert.Equal(Path.Join(StateRoot, "volumes", made, "_data"), v.GetProperty("Mountpoint").GetString());
        }
        var missing = RunSkiff("volume", "inspect", $"absent-{_suffix}");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"skiff: no such volume: absent-{_suffix} (see `skiff volume ls` for the volumes there are)\n", missing.Stderr);

        Assert.Equal(made + "\n", Ok("volume", "rm", made).Stdout);
        Assert.DoesNotContain(made, Ok("volume", "ls", "-q").Stdout);

        // An anonymous volume left behind by rm without -v is what a plain prune removes; -a takes named ones too.
        var name = Container("left");
        Ok("create", "--name", name, "-v", "/left", "busybox", "true");
        using var doc = JsonDocument.Parse(Ok("inspect", name).Stdout);
        var anonymous = doc.RootElement[0].GetProperty("Mounts")[0].GetProperty("Name").GetString()!;
        Ok("rm", name);
        var unused = Volume("unused");
        Ok("volume", "create", unused);
        var prune = Ok("volume", "prune", "-f").Stdout;
        Assert.StartsWith("Deleted Volumes:\n", prune);
        Assert.Contains(anonymous + "\n", prune);
        Assert.DoesNotContain(unused, prune);
        Assert.Contains(unused + "\n", Ok("volume", "prune", "-a", "-f").Stdout);
        Assert.DoesNotContain(unused, Ok("volume", "ls", "-q").Stdout);
    }

    [Fact]
    public void Removing_a_volume_in_use_is_refused_until_the_container_is_gone()
    {
        var busy = Volume("busy");
        var name = Container("user");
        Ok("create", "--name", name, "-v", $"{busy}:/data", "busybox", "true");

        var refused = RunSkiff("volume", "rm", busy);
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith($"skiff: remove {busy}: volume is in use - [", refused.Stderr);

        Ok("rm", name);
        Ok("volume", "rm", busy);
    }

    public void Dispose()
    {
        foreach (var c in _containers) RunSkiff("rm", "-f", "-v", c);
        foreach (var v in _volumes) RunSkiff("volume", "rm", "-f", v);
        Directory.Delete(_hostDir, recursive: true);
    }
}
