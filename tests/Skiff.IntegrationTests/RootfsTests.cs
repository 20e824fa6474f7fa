using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

public sealed class RootfsTests
{
    [Fact]
    public void Dev_has_the_standard_devices_and_mounts()
    {
        var r = RunSkiff("run", "--rm", "busybox", "ls", "/dev");
        Assert.Equal(0, r.ExitCode);
        var entries = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        foreach (var e in new[] { "null", "zero", "full", "random", "urandom", "tty", "pts", "ptmx", "shm", "mqueue", "fd", "stdin", "stdout", "stderr" })
            Assert.Contains(e, entries);

        var devices = RunSkiff("run", "--rm", "busybox", "sh", "-c", "stat -c '%n %F %t:%T %a' /dev/null /dev/zero /dev/urandom /dev/tty");
        Assert.Equal(
            "/dev/null character special file 1:3 666\n/dev/zero character special file 1:5 666\n" +
            "/dev/urandom character special file 1:9 666\n/dev/tty character special file 5:0 666\n", devices.Stdout);
        Assert.Equal("0\n", RunSkiff("run", "--rm", "busybox", "sh", "-c", "echo x > /dev/null; head -c 4 /dev/zero | tr -d '\\0' | wc -c").Stdout);
    }

    [Fact]
    public void Proc_is_the_containers_own_and_sys_is_read_only()
    {
        var mounts = RunSkiff("run", "--rm", "busybox", "cat", "/proc/mounts").Stdout;
        Assert.Matches(@"(?m)^proc /proc proc rw,nosuid,nodev,noexec", mounts);
        Assert.Matches(@"(?m)^sysfs /sys sysfs ro,", mounts);
        Assert.Matches(@"(?m)^devpts /dev/pts devpts ", mounts);
        Assert.Matches(@"(?m)^mqueue /dev/mqueue mqueue ", mounts);
        Assert.Matches(@"(?m)^shm /dev/shm tmpfs ", mounts);

        var write = RunSkiff("run", "--rm", "busybox", "sh", "-c", "touch /sys/skiff-test");
        Assert.NotEqual(0, write.ExitCode);
        Assert.Contains("Read-only file system", write.Stderr);
    }

    [Fact]
    public void Masked_and_read_only_proc_paths_are_as_docker_sets_them()
    {
        var r = RunSkiff("run", "--rm", "busybox", "sh", "-c",
            "wc -c < /proc/keys; wc -c < /proc/timer_list; ls /sys/firmware | wc -l; echo 1 > /proc/sys/vm/drop_caches 2>/dev/null && echo writable || echo denied; echo 1 > /proc/sysrq-trigger 2>/dev/null && echo writable || echo denied");
        Assert.Equal("0\n0\n0\ndenied\ndenied\n", r.Stdout);

        var privileged = RunSkiff("run", "--rm", "--privileged", "busybox", "sh", "-c", "grep -c ' /proc/sys ' /proc/mounts; grep ' /sys ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1");
        Assert.Equal("0\nrw\n", privileged.Stdout);
    }

    [Fact]
    public void Hosts_hostname_and_resolv_conf_are_the_containers_own()
    {
        var r = RunSkiff("run", "--rm", "--hostname", "box", "busybox", "sh", "-c", "cat /etc/hostname; grep -c localhost /etc/hosts; test -s /etc/resolv.conf && echo resolv");
        Assert.Equal("box\n2\nresolv\n", r.Stdout);
    }

    [Fact]
    public void Changes_stay_in_the_container_and_never_reach_the_image()
    {
        var first = RunSkiff("run", "--rm", "busybox", "sh", "-c", "rm /bin/ls && echo changed > /etc/motd && cat /etc/motd && test ! -e /bin/ls && echo removed");
        Assert.Equal("changed\nremoved\n", first.Stdout);

        var second = RunSkiff("run", "--rm", "busybox", "sh", "-c", "ls /bin/ls && cat /etc/motd 2>/dev/null || echo no-motd");
        Assert.Equal("/bin/ls\nno-motd\n", second.Stdout);
    }

    [Fact]
    public void Read_only_rootfs_refuses_writes_but_keeps_dev_shm_writable()
    {
        var r = RunSkiff("run", "--rm", "--read-only", "busybox", "sh", "-c", "touch /x 2>&1; touch /dev/shm/ok && echo shm-ok");
        Assert.Contains("Read-only file system", r.Stdout);
        Assert.EndsWith("shm-ok\n", r.Stdout);
    }

    [Fact]
    public void Working_directory_and_user_come_from_the_flags()
    {
        var r = RunSkiff("run", "--rm", "-w", "/srv/app", "-u", "1000:1000", "busybox", "sh", "-c", "pwd; id -u; id -g");
        Assert.Equal("/srv/app\n1000\n1000\n", r.Stdout);
        Assert.Equal("65534\n", RunSkiff("run", "--rm", "-u", "nobody", "busybox", "id", "-u").Stdout);
        var unknown = RunSkiff("run", "--rm", "-u", "nosuchuser", "busybox", "true");
        Assert.Equal(125, unknown.ExitCode);
        Assert.Contains("nosuchuser", unknown.Stderr);
    }

    [Fact]
    public void Environment_comes_from_image_flags_and_env_files()
    {
        var envFile = Path.GetTempFileName();
        File.WriteAllText(envFile, "# comment\nFROM_FILE=1\n\nSHARED=file\n");
        try
        {
            var r = RunSkiff("run", "--rm", "--env-file", envFile, "-e", "SHARED=flag", "-e", "A=b c", "busybox", "env");
            var env = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            Assert.Contains("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", env);
            Assert.Contains("FROM_FILE=1", env);
            Assert.Contains("SHARED=flag", env);
            Assert.Contains("A=b c", env);
            Assert.Contains("HOME=/root", env);
            Assert.DoesNotContain(env, e => e.StartsWith("SHARED=file"));
        }
        finally
        {
            File.Delete(envFile);
        }
    }
}
