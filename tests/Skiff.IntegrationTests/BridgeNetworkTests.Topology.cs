using System.Text.Json;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>Containers on several networks: connect and disconnect, a chosen address, --ip-range, container:NAME, prune.</summary>
public sealed partial class BridgeNetworkTests
{
    /// <summary>Named containers for the test's body, removed afterwards whatever their state.</summary>
    private static void WithContainers(int count, Action<string[]> body)
    {
        var names = Enumerable.Range(0, count).Select(_ => Unique("c")).ToArray();
        try
        {
            body(names);
        }
        finally
        {
            foreach (var name in names) RunSkiff("rm", "-f", name);
        }
    }

    private static JsonElement Inspect(string container) => JsonDocument.Parse(Ok(RunSkiff("inspect", container)).Stdout).RootElement[0];

    private static string Links() => Ok(Sh("ip -o link | cut -d: -f2 | sort")).Stdout;

    private static string Exec(string container, params string[] command) => Ok(RunSkiff(["exec", container, .. command])).Stdout;

    [Fact]
    public void Network_connect_gives_a_running_container_an_interface_and_disconnect_takes_it_away()
    {
        WithNetwork("10.93.0.0/24", [], a => WithNetwork("10.94.0.0/24", [], b => WithContainers(2, c =>
        {
            Detached(a, "--name", c[0], "busybox", "sleep", "300");
            Detached(b, "--name", c[1], "busybox", "sleep", "300");
            Assert.NotEqual(0, RunSkiff("exec", c[0], "ping", "-c1", "-W1", c[1]).ExitCode);
            var linksBefore = Links();

            Ok(RunSkiff("network", "connect", b, c[0]));
            Assert.Contains("inet 10.94.0.3/24", Exec(c[0], "ip", "-o", "-4", "addr", "show", "eth1"));
            Ok(RunSkiff("exec", c[0], "ping", "-c1", "-W2", c[1]));
            Ok(RunSkiff("exec", c[1], "ping", "-c1", "-W2", c[0]));
            // The default route stays with the first network.
            Assert.Contains("default via 10.93.0.1 dev eth0", Exec(c[0], "ip", "route"));
            var networks = Inspect(c[0]).GetProperty("NetworkSettings").GetProperty("Networks");
            Assert.Equal([a, b], networks.EnumerateObject().Select(n => n.Name));
            var onB = networks.GetProperty(b);
            Assert.Equal("10.94.0.3", onB.GetProperty("IPAddress").GetString());
            Assert.Equal("10.94.0.1", onB.GetProperty("Gateway").GetString());
            Assert.Contains($"link/ether {onB.GetProperty("MacAddress").GetString()} ", Exec(c[0], "ip", "link", "show", "eth1"));

            Ok(RunSkiff("network", "disconnect", b, c[0]));
            Assert.NotEqual(0, RunSkiff("exec", c[0], "ip", "link", "show", "eth1").ExitCode);
            Assert.NotEqual(0, RunSkiff("exec", c[0], "ping", "-c1", "-W1", c[1]).ExitCode);
            Assert.Equal(linksBefore, Links());
            Assert.Equal([a], Inspect(c[0]).GetProperty("NetworkSettings").GetProperty("Networks").EnumerateObject().Select(n => n.Name));
            Assert.DoesNotContain(c[0], Exec(c[1], "cat", "/etc/hosts"));
        })));
    }

    [Fact]
    public void Disconnecting_the_network_of_the_default_route_moves_it_to_the_next_network()
    {
        WithNetwork("10.109.0.0/24", [], a => WithNetwork("10.110.0.0/24", [], b => WithContainers(1, c =>
        {
            Detached(a, "--name", c[0], "--network", b, "busybox", "sleep", "300");
            Assert.Contains("default via 10.109.0.1 dev eth0", Exec(c[0], "ip", "route"));
            Ok(RunSkiff("network", "disconnect", a, c[0]));
            Assert.Contains("default via 10.110.0.1 dev eth1", Exec(c[0], "ip", "route"));
        })));
    }

    [Fact]
    public void Network_connect_on_a_stopped_container_takes_effect_at_its_next_start()
    {
        WithNetwork("10.95.0.0/24", [], a => WithNetwork("10.96.0.0/24", [], b => WithContainers(1, c =>
        {
            Ok(RunSkiff("create", "--name", c[0], "--network", a, "busybox", "sleep", "300"));
            Ok(RunSkiff("network", "connect", "--ip", "10.96.0.77", b, c[0]));
            Assert.Equal("", Inspect(c[0]).GetProperty("NetworkSettings").GetProperty("Networks").GetProperty(b).GetProperty("IPAddress").GetString());
            Ok(RunSkiff("start", c[0]));
            var addresses = Exec(c[0], "ip", "-o", "-4", "addr");
            Assert.Contains("eth0    inet 10.95.0.2/24", addresses);
            Assert.Contains("eth1    inet 10.96.0.77/24", addresses);
            Assert.Contains("default via 10.95.0.1 dev eth0", Exec(c[0], "ip", "route"));
        })));
    }

    [Fact]
    public void A_container_run_on_two_networks_has_an_interface_on_each_and_the_default_route_via_the_first()
    {
        WithNetwork("10.97.0.0/24", [], a => WithNetwork("10.98.0.0/24", [], b =>
        {
            var r = Ok(RunSkiff("run", "--rm", "--network", b, "--network", a, "busybox", "sh", "-c", "ip -o -4 addr; ip route")).Stdout;
            Assert.Contains("eth0    inet 10.98.0.2/24", r);
            Assert.Contains("eth1    inet 10.97.0.2/24", r);
            Assert.Contains("default via 10.98.0.1 dev eth0", r);
            Assert.DoesNotContain("default via 10.97.0.1", r);
        }));
    }

    [Fact]
    public void Chosen_addresses_and_ip_range_are_honoured_and_bad_ones_refused_with_nothing_left_behind()
    {
        WithNetwork("10.99.0.0/24", ["--ip-range", "10.99.0.128/28"], net => WithContainers(3, c =>
        {
            Detached(net, "--name", c[0], "busybox", "sleep", "300");
            Assert.Equal("10.99.0.128", Address(Inspect(c[0]).GetProperty("Id").GetString()!));
            Detached(net, "--name", c[1], "--ip", "10.99.0.7", "busybox", "sleep", "300");
            Assert.Contains("inet 10.99.0.7/24", Exec(c[1], "ip", "-o", "-4", "addr", "show", "eth0"));
            Assert.Equal("10.99.0.7", Inspect(c[1]).GetProperty("NetworkSettings").GetProperty("Networks").GetProperty(net).GetProperty("IPAMConfig").GetProperty("IPv4Address").GetString());

            var rules = Ok(Sh("iptables-save | grep -v '^#'")).Stdout;
            var links = Links();
            var containers = Ok(RunSkiff("ps", "-aq")).Stdout;
            var outside = RunSkiff("run", "--rm", "--network", net, "--ip", "10.98.0.7", "busybox", "true");
            Assert.Equal(125, outside.ExitCode);
            Assert.Contains("10.98.0.7 is outside subnet 10.99.0.0/24 of network " + net, outside.Stderr);
            var taken = RunSkiff("run", "--rm", "--network", net, "--ip", "10.99.0.7", "busybox", "true");
            Assert.Equal(125, taken.ExitCode);
            Assert.Contains("address 10.99.0.7 is already in use on network " + net, taken.Stderr);
            var gateway = RunSkiff("run", "--rm", "--network", net, "--ip", "10.99.0.1", "busybox", "true");
            Assert.Contains("10.99.0.1 is the gateway", gateway.Stderr);
            var onDefault = RunSkiff("run", "--rm", "--network", "bridge", "--ip", "10.99.0.9", "busybox", "true");
            Assert.Contains("user-defined networks only", onDefault.Stderr);
            Detached(net, "--name", c[2], "busybox", "sleep", "300");
            var connectAgain = RunSkiff("network", "connect", "--ip", "10.99.0.7", net, c[2]);
            Assert.Contains("is already connected to network " + net, connectAgain.Stderr);
            Assert.Equal(125, RunSkiff("network", "connect", "no-such-network", c[2]).ExitCode);
            Ok(RunSkiff("rm", "-f", c[2]));

            Assert.Equal(rules, Ok(Sh("iptables-save | grep -v '^#'")).Stdout);
            Assert.Equal(links, Links());
            Assert.Equal(containers, Ok(RunSkiff("ps", "-aq")).Stdout);
        }));
    }

    [Fact]
    public void A_failed_connect_leaves_the_running_container_as_it_was()
    {
        WithNetwork("10.100.0.0/24", [], a => WithNetwork("10.101.0.0/24", [], b => WithContainers(2, c =>
        {
            Detached(b, "--name", c[0], "--ip", "10.101.0.9", "busybox", "sleep", "300");
            Detached(a, "--name", c[1], "busybox", "sleep", "300");
            var links = Links();
            var addresses = Exec(c[1], "sh", "-c", "ip -o link; ip -o -4 addr; ip route");
            var r = RunSkiff("network", "connect", "--ip", "10.101.0.9", b, c[1]);
            Assert.Equal(125, r.ExitCode);
            Assert.Contains("address 10.101.0.9 is already in use on network " + b, r.Stderr);
            Assert.Equal(links, Links());
            Assert.Equal(addresses, Exec(c[1], "sh", "-c", "ip -o link; ip -o -4 addr; ip route"));
            Assert.Equal([a], Inspect(c[1]).GetProperty("NetworkSettings").GetProperty("Networks").EnumerateObject().Select(n => n.Name));
        })));
    }

    [Fact]
    public void Network_container_mode_shares_the_owners_namespace_and_needs_it_running()
    {
        WithNetwork("10.102.0.0/24", [], net => WithContainers(1, c =>
        {
            Detached(net, "--name", c[0], "busybox", "sleep", "300");
            var links = Links();
            var r = Ok(RunSkiff("run", "--rm", "--network", "container:" + c[0], "busybox", "sh", "-c", "ip -o -4 addr show eth0; hostname")).Stdout;
            Assert.Contains("inet 10.102.0.2/24", r);
            Assert.Contains(Inspect(c[0]).GetProperty("Config").GetProperty("Hostname").GetString()!, r);
            Assert.Equal(links, Links());
            Ok(RunSkiff("stop", "-t", "1", c[0]));
            var stopped = RunSkiff("run", "--rm", "--network", "container:" + c[0], "busybox", "true");
            Assert.Equal(125, stopped.ExitCode);
            Assert.Contains($"cannot join the network namespace of container {c[0]}: it is not running", stopped.Stderr);
        }));
    }

    [Fact]
    public void Network_prune_removes_unused_user_networks_but_not_one_a_container_names_nor_the_default()
    {
        var (unused, used) = (Unique("n"), Unique("n"));
        Ok(RunSkiff("network", "create", "--subnet", "10.103.0.0/24", unused));
        Ok(RunSkiff("network", "create", "--subnet", "10.104.0.0/24", used));
        WithContainers(2, c =>
        {
            try
            {
                Ok(RunSkiff("create", "--name", c[0], "--network", used, "busybox", "true"));
                Ok(RunSkiff("run", "-d", "--name", c[1], "--network", "bridge", "busybox", "sleep", "300"));
                var pruned = Ok(RunSkiff("network", "prune", "-f")).Stdout;
                Assert.Contains(unused, pruned);
                var left = Ok(RunSkiff("network", "ls", "-q")).Stdout.Split('\n');
                Assert.DoesNotContain(unused, left);
                Assert.Contains(used, left);
                Assert.Contains("bridge", left);
            }
            finally
            {
                RunSkiff("rm", "-f", c[0], c[1]);
                RunSkiff("network", "rm", used);
                RunSkiff("network", "rm", unused);
                RunSkiff("network", "rm", "bridge");
            }
        });
    }

    [Fact]
    public void Network_trace_takes_container_names_and_their_veth()
    {
        WithNetwork("10.105.0.0/24", [], net => WithContainers(2, c =>
        {
            var from = Detached(net, "--name", c[0], "busybox", "sleep", "300");
            Detached(net, "--name", c[1], "busybox", "sleep", "300");
            var trace = Ok(RunSkiff("network", "trace", "--from", c[0], "--to", c[1], "--proto", "icmp")).Stdout;
            Assert.Contains("icmp 10.105.0.2 -> 10.105.0.3", trace);
            Assert.Contains($"physdev-in veth{from[..8]}", trace);
            var unknown = RunSkiff("network", "trace", "--from", "no-such-container", "--to", c[1], "--proto", "icmp");
            Assert.Contains("give an IPv4 address, \"host\" or the name of a running container", unknown.Stderr);
        }));
    }
}
