using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

public sealed class NamespaceTests
{
    [Fact]
    public void Container_has_its_own_hostname_defaulting_to_the_short_id()
    {
        var r = RunSkiff("run", "--rm", "busybox", "hostname");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches("^[0-9a-f]{12}\n$", r.Stdout);
        Assert.NotEqual(File.ReadAllText("/proc/sys/kernel/hostname"), r.Stdout);

        var named = RunSkiff("run", "--rm", "--hostname", "web-1", "busybox", "sh", "-c", "hostname; cat /etc/hostname");
        Assert.Equal("web-1\nweb-1\n", named.Stdout);
    }

    [Fact]
    public void Shell_is_pid_1_and_ps_lists_only_the_containers_processes()
    {
        var r = RunSkiff("run", "--rm", "busybox", "sh", "-c", "echo $$; sleep 30 & sleep 0.2; ps -o pid,comm; true");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("1", lines[0]);
        var processes = lines.Skip(2).Select(l => l.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(["ps", "sh", "sleep"], processes.Select(p => p[1].Trim()).Order());
        Assert.Contains(processes, p => p[0] == "1" && p[1].Trim() == "sh");
    }

    [Theory]
    [InlineData("uts"), InlineData("ipc"), InlineData("pid"), InlineData("mnt"), InlineData("net"), InlineData("cgroup")]
    public void Every_namespace_differs_from_the_hosts(string ns)
    {
        var r = RunSkiff("run", "--rm", "busybox", "readlink", $"/proc/self/ns/{ns}");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith($"{ns}:[", r.Stdout);
        Assert.NotEqual(new FileInfo($"/proc/self/ns/{ns}").LinkTarget, r.Stdout.Trim());
    }

    [Fact]
    public void A_message_queue_made_inside_is_invisible_outside_and_to_the_next_container()
    {
        var inside = RunSkiff("run", "--rm", "busybox", "sh", "-c", "touch /dev/mqueue/skiff-q && ls /dev/mqueue");
        Assert.Equal("skiff-q\n", inside.Stdout);

        var hostView = Directory.CreateTempSubdirectory("mq").FullName;
        try
        {
            Assert.Equal(0, Sh($"mount -t mqueue mqueue {hostView}").ExitCode);
            Assert.False(File.Exists(Path.Join(hostView, "skiff-q")));
        }
        finally
        {
            Sh($"umount {hostView}");
            Directory.Delete(hostView);
        }
        Assert.Equal("", RunSkiff("run", "--rm", "busybox", "ls", "/dev/mqueue").Stdout);
    }

    [Fact]
    public void Network_none_has_only_loopback_and_it_is_up()
    {
        var r = RunSkiff("run", "--rm", "--network", "none", "busybox", "ip", "-o", "link");
        Assert.Equal(0, r.ExitCode);
        var links = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(links);
        Assert.Contains("lo: <LOOPBACK,UP,LOWER_UP>", links[0]);
        Assert.Contains("inet 127.0.0.1/8", RunSkiff("run", "--rm", "busybox", "ip", "addr", "show", "lo").Stdout);
    }

    [Fact]
    public void Network_host_sees_the_hosts_interfaces()
    {
        var name = "skd" + Random.Shared.Next(10000, 99999);
        Assert.Equal(0, Sh($"ip link add {name} type veth peer name {name}p").ExitCode);
        try
        {
            var r = RunSkiff("run", "--rm", "--network", "host", "busybox", "ip", "-o", "link");
            Assert.Contains($"{name}:", r.Stdout);
        }
        finally
        {
            Sh($"ip link del {name}");
        }
    }
}
