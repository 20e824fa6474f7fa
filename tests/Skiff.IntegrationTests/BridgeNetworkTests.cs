using System.Text.Json;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>
/// Bridge networks against the real kernel, inside the test sandbox's network namespace (the
/// "host"); an "outside" machine is one more namespace joined to it by a veth pair.
/// </summary>
[Collection("host state")]
public sealed partial class BridgeNetworkTests
{
    internal static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    internal static RunResult Ok(RunResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    /// <summary>A network for the test's body, removed afterwards along with its containers.</summary>
    internal static void WithNetwork(string subnet, string[] options, Action<string> body)
    {
        var name = Unique("n");
        Ok(RunSkiff(["network", "create", "--subnet", subnet, .. options, name]));
        try
        {
            body(name);
        }
        finally
        {
            var attached = JsonDocument.Parse(Ok(RunSkiff("network", "inspect", name)).Stdout).RootElement[0].GetProperty("Containers");
            foreach (var container in attached.EnumerateObject()) RunSkiff("rm", "-f", container.Name);
            Ok(RunSkiff("network", "rm", name));
        }
    }

    internal static string Detached(string network, params string[] args) =>
        Ok(RunSkiff(["run", "-d", "--network", network, .. args])).Stdout.Trim();

    /// <summary>The container's address as its network's inspect reports it.</summary>
    internal static string? Address(string containerId)
    {
        foreach (var network in RunSkiff("network", "ls", "-q").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var doc = JsonDocument.Parse(Ok(RunSkiff("network", "inspect", network)).Stdout).RootElement[0];
            foreach (var c in doc.GetProperty("Containers").EnumerateObject())
                if (c.Name.StartsWith(containerId, StringComparison.Ordinal))
                    return c.Value.GetProperty("IPv4Address").GetString()!.Split('/')[0];
        }
        return null;
    }

    private static RunResult Ping(string network, string target, params string[] extra) =>
        RunSkiff(["run", "--rm", "--network", network, .. extra, "busybox", "ping", "-c1", "-W2", target]);

    [Fact]
    public void Containers_on_one_network_reach_each_other_and_the_gateway_by_address()
    {
        WithNetwork("10.81.0.0/24", [], net =>
        {
            var server = Detached(net, "busybox", "sleep", "300");
            var address = Address(server);
            Assert.Equal("10.81.0.2", address);
            Ok(Ping(net, address!));
            Ok(Ping(net, "10.81.0.1"));
            var routes = Ok(RunSkiff("run", "--rm", "--network", net, "busybox", "ip", "route")).Stdout;
            Assert.Contains("default via 10.81.0.1 dev eth0", routes);
        });
    }

    [Fact]
    public void Containers_on_different_networks_cannot_reach_each_other()
    {
        WithNetwork("10.82.0.0/24", [], a => WithNetwork("10.83.0.0/24", [], b =>
        {
            var server = Detached(a, "busybox", "sleep", "300");
            Ok(Ping(a, Address(server)!));
            Assert.NotEqual(0, Ping(b, Address(server)!).ExitCode);
        }));
    }

    [Fact]
    public void Icc_false_drops_traffic_between_containers_but_not_to_the_gateway()
    {
        WithNetwork("10.84.0.0/24", ["-o", "com.docker.network.bridge.enable_icc=false"], net =>
        {
            var server = Detached(net, "busybox", "sleep", "300");
            Assert.NotEqual(0, Ping(net, Address(server)!).ExitCode);
            Ok(Ping(net, "10.84.0.1"));
        });
    }

    [Fact]
    public void Outside_machine_reaches_a_published_port_and_masqueraded_containers_but_not_an_internal_network()
    {
        var outside = Unique("out");
        Ok(Sh($"ip netns add {outside} && ip link add vo{outside[3..]} type veth peer name eth0 netns {outside} "
              + $"&& ip addr add 10.85.0.1/24 dev vo{outside[3..]} && ip link set vo{outside[3..]} up "
              + $"&& ip -n {outside} addr add 10.85.0.2/24 dev eth0 && ip -n {outside} link set eth0 up && ip -n {outside} link set lo up"));
        try
        {
            WithNetwork("10.86.0.0/24", [], net =>
            {
                Detached(net, "-p", "8086:80", "busybox", "sh", "-c", "mkdir /w && echo published > /w/index.html && httpd -f -p 80 -h /w");
                var get = $"exec 3<>/dev/tcp/ADDR/8086 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3";
                // The server needs a moment to listen; the outside machine has no route to the
                // container's subnet, so only DNAT on the host's address can answer.
                var fromOutside = Eventually(() => Sh($"ip netns exec {outside} timeout 3 bash -c \"{get.Replace("ADDR", "10.85.0.1")}\""));
                Assert.Contains("published", fromOutside.Stdout);
                Assert.Contains("published", Ok(Sh($"timeout 3 bash -c \"{get.Replace("ADDR", "127.0.0.1")}\"")).Stdout);
                // Out through MASQUERADE: the outside machine knows no route back to 10.86.0.0/24.
                Ok(Ping(net, "10.85.0.2"));
            });
            WithNetwork("10.87.0.0/24", ["--internal"], net =>
            {
                Assert.NotEqual(0, Ping(net, "10.85.0.2").ExitCode);
                Assert.NotEqual(0, Ping(net, "10.85.0.1").ExitCode);
            });
        }
        finally
        {
            Sh($"ip netns del {outside}");
        }
    }

    internal static RunResult Eventually(Func<RunResult> attempt)
    {
        for (var i = 0; ; i++)
        {
            var r = attempt();
            if (r.ExitCode == 0 || i == 50) return Ok(r);
            Thread.Sleep(100);
        }
    }

    [Fact]
    public void A_slash_30_holds_one_container_then_gives_a_clear_error_and_frees_the_address_on_exit()
    {
        WithNetwork("10.88.0.0/30", [], net =>
        {
            Detached(net, "busybox", "sleep", "300");
            var full = RunSkiff("run", "--rm", "--network", net, "busybox", "true");
            Assert.Equal(125, full.ExitCode);
            Assert.Contains("no free address left in subnet 10.88.0.0/30", full.Stderr);
            Assert.Contains("active endpoints", RunSkiff("network", "rm", net).Stderr);
        });
    }

    [Fact]
    public void Overlapping_subnets_are_refused()
    {
        WithNetwork("10.89.0.0/24", [], _ =>
        {
            var r = RunSkiff("network", "create", "--subnet", "10.89.0.0/16", Unique("n"));
            Assert.Equal(125, r.ExitCode);
            Assert.Contains("overlaps subnet 10.89.0.0/24", r.Stderr);
        });
    }

    [Fact]
    public void A_container_leaves_no_rule_link_or_address_behind()
    {
        WithNetwork("10.90.0.0/24", [], net =>
        {
            var rulesBefore = Ok(Sh("iptables-save | grep -v '^#'")).Stdout;
            var linksBefore = Ok(Sh("ip -o link | cut -d: -f2 | sort")).Stdout;
            Ok(RunSkiff("run", "--rm", "--network", net, "-p", "8090:80", "busybox", "true"));
            var id = Detached(net, "-p", "8091:80", "busybox", "sleep", "300");
            Assert.Contains("8091", Ok(Sh("iptables-save -t nat")).Stdout);
            Ok(RunSkiff("rm", "-f", id));
            Assert.Equal(rulesBefore, Ok(Sh("iptables-save | grep -v '^#'")).Stdout);
            Assert.Equal(linksBefore, Ok(Sh("ip -o link | cut -d: -f2 | sort")).Stdout);
            Assert.Null(Address(id));
        });
    }

    [Fact]
    public void Twenty_concurrent_runs_get_twenty_distinct_addresses()
    {
        WithNetwork("10.91.0.0/24", [], net =>
        {
            var ids = Enumerable.Range(0, 20).AsParallel().WithDegreeOfParallelism(20)
                .Select(_ => Detached(net, "busybox", "sleep", "300")).ToList();
            var addresses = ids.Select(Address).ToList();
            Assert.All(addresses, Assert.NotNull);
            Assert.Equal(20, addresses.Distinct().Count());
        });
    }

    [Fact]
    public void A_host_port_already_published_is_refused_and_the_container_does_not_start_half_wired()
    {
        WithNetwork("10.92.0.0/24", [], net =>
        {
            Detached(net, "-p", "8092:80", "busybox", "sleep", "300");
            var rulesBefore = Ok(Sh("iptables-save | grep -v '^#'")).Stdout;
            var second = RunSkiff("run", "-d", "--network", net, "-p", "8092:81", "busybox", "sleep", "300");
            Assert.Equal(125, second.ExitCode);
            Assert.Contains("port 0.0.0.0:8092/tcp is already published", second.Stderr);
            Assert.Equal(rulesBefore, Ok(Sh("iptables-save | grep -v '^#'")).Stdout);
            Ok(RunSkiff("run", "--rm", "--network", net, "-p", "8092:80/udp", "busybox", "true"));
        });
    }

    [Fact]
    public void The_default_network_is_made_on_first_use_in_a_subnet_no_host_route_covers()
    {
        // Other tests' runs (bridge is the default mode) made it already: this test needs it new.
        RunSkiff("network", "rm", "bridge");
        Ok(Sh("ip link add skiffdummy type veth peer name skiffdummy1 && ip addr add 172.29.5.1/16 dev skiffdummy && ip link set skiffdummy up && ip link set skiffdummy1 up"));
        try
        {
            var addresses = Ok(RunSkiff("run", "--rm", "--network", "bridge", "busybox", "ip", "-o", "-4", "addr", "show", "eth0")).Stdout;
            Assert.Contains("inet 172.30.0.2/16", addresses);
            Assert.Equal("skiff0\n", Ok(RunSkiff("network", "inspect", "-f", "{{index .Options \"com.docker.network.bridge.name\"}}", "bridge")).Stdout);
        }
        finally
        {
            RunSkiff("network", "rm", "bridge");
            Sh("ip link del skiffdummy");
        }
    }
}
