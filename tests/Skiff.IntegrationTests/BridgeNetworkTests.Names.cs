using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>Names: peers by name and alias through managed hosts files, --add-host and the --dns flags.</summary>
public sealed partial class BridgeNetworkTests
{
    [Fact]
    public void Containers_on_a_user_network_reach_each_other_by_name_and_alias()
    {
        WithNetwork("10.106.0.0/24", [], net => WithContainers(1, c =>
        {
            Detached(net, "--name", c[0], "--network-alias", "db", "busybox", "sh", "-c", "while true; do echo pong | nc -l -p 7000; done");
            Ok(Ping(net, c[0]));
            Ok(Ping(net, "db"));
            var reply = Ok(RunSkiff("run", "--rm", "--network", net, "busybox", "sh", "-c",
                "for i in $(seq 50); do echo ping | nc -w 2 db 7000 && exit 0; sleep 0.1; done; exit 1")).Stdout;
            Assert.Contains("pong", reply);
        }));
    }

    [Fact]
    public void The_default_network_resolves_no_container_names()
    {
        WithContainers(1, c =>
        {
            try
            {
                Ok(RunSkiff("run", "-d", "--name", c[0], "--network", "bridge", "busybox", "sleep", "300"));
                var r = Ping("bridge", c[0]);
                Assert.NotEqual(0, r.ExitCode);
                Assert.Contains("bad address", r.Stderr + r.Stdout);
            }
            finally
            {
                RunSkiff("rm", "-f", c[0]);
                RunSkiff("network", "rm", "bridge");
            }
        });
    }

    [Fact]
    public void A_peers_hosts_file_follows_containers_coming_and_going_in_place()
    {
        WithNetwork("10.107.0.0/24", [], net => WithContainers(2, c =>
        {
            Detached(net, "--name", c[0], "busybox", "sleep", "300");
            var hostsPath = Inspect(c[0]).GetProperty("HostsPath").GetString()!;
            var inode = Ok(Sh($"stat -c %i {hostsPath}")).Stdout;
            Assert.DoesNotContain(c[1], Exec(c[0], "cat", "/etc/hosts"));

            Detached(net, "--name", c[1], "busybox", "sleep", "300");
            Assert.Contains($"10.107.0.3\t{c[1]}", Exec(c[0], "cat", "/etc/hosts"));
            Assert.Contains($"10.107.0.2\t{c[0]}", Exec(c[1], "cat", "/etc/hosts"));

            Ok(RunSkiff("stop", "-t", "1", c[1]));
            Assert.DoesNotContain(c[1], Exec(c[0], "cat", "/etc/hosts"));
            Assert.Equal(inode, Ok(Sh($"stat -c %i {hostsPath}")).Stdout);
        }));
    }

    [Fact]
    public void Add_host_and_dns_flags_are_written_into_hosts_and_resolv_conf()
    {
        WithNetwork("10.108.0.0/24", [], net =>
        {
            var r = Ok(RunSkiff("run", "--rm", "--network", net, "--add-host", "db.example:192.0.2.10", "--add-host", "host.skiff.internal:host-gateway",
                "--dns", "192.0.2.53", "--dns-search", "corp.example", "--dns-option", "ndots:2", "busybox", "sh", "-c", "cat /etc/hosts; echo ---; cat /etc/resolv.conf")).Stdout;
            var (hosts, resolv) = (r.Split("---")[0], r.Split("---")[1]);
            Assert.Contains("192.0.2.10\tdb.example", hosts);
            Assert.Contains("10.108.0.1\thost.skiff.internal", hosts);
            Assert.Equal("nameserver 192.0.2.53\nsearch corp.example\noptions ndots:2\n",
                string.Join('\n', resolv.Split('\n').Where(l => l.StartsWith("nameserver") || l.StartsWith("search") || l.StartsWith("options"))) + "\n");
            var bad = RunSkiff("run", "--rm", "--network", net, "--add-host", "nocolon", "busybox", "true");
            Assert.Equal(125, bad.ExitCode);
            Assert.Contains("invalid --add-host \"nocolon\": use NAME:IP", bad.Stderr);
        });
    }
}
