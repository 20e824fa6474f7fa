using System.Text.RegularExpressions;
using static Skiff.IntegrationTests.BridgeNetworkTests;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests.Network;

/// <summary>Published ports as a user meets them: from another machine, from the host, from containers, and gone after.</summary>
[Collection("host state")]
public sealed class PublishedPortTests
{
    private const string Rules = "iptables-save | grep -v '^#'";

    // busybox has no UDP server: socat from the host's /usr answers every datagram with "pong".
    private static readonly string[] UdpPong =
        ["-v", "/usr:/usr:ro", "-v", "/usr/lib:/lib:ro", "-v", "/usr/lib64:/lib64:ro", "busybox", "/usr/bin/socat", "UDP-RECVFROM:53,fork", "SYSTEM:echo pong"];

    private static readonly string[] Web = ["busybox", "sh", "-c", "mkdir /w && echo published > /w/index.html && exec httpd -f -p 80 -h /w"];

    internal static string Get(string address, int port) =>
        $"timeout 3 bash -c \"exec 3<>/dev/tcp/{address}/{port} && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3\"";

    private static RunResult UdpPing(OutsideMachine outside, int port) =>
        outside.Bash($"echo ping | timeout 2 socat - UDP:{OutsideMachine.HostAddress}:{port} | grep pong");

    private static (int First, int Last) EphemeralRange()
    {
        var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return (int.Parse(range[0]), int.Parse(range[1]));
    }

    /// <summary>`skiff port CTR`'s lines as container port → host port.</summary>
    private static Dictionary<string, int> Ports(string container) =>
        Ok(RunSkiff("port", container)).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => Regex.Match(l, @"^(\S+) -> 0\.0\.0\.0:(\d+)$")).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));

    /// <summary>A UDP server published on the host port, once it answers the outside machine.</summary>
    private static void WithUdpServer(string subnet, int hostPort, Action<string> body)
    {
        using var outside = new OutsideMachine();
        WithNetwork(subnet, [], net =>
        {
            var id = Detached(net, ["-p", $"{hostPort}:53/udp", .. UdpPong]);
            Assert.Contains("pong", Eventually(() => UdpPing(outside, hostPort)).Stdout);
            body(id);
        });
    }

    [Fact]
    public void A_udp_port_published_on_the_host_answers_the_outside_machine() =>
        WithUdpServer("10.93.0.0/24", 5353, id =>
        {
            Assert.Equal("53/udp -> 0.0.0.0:5353\n", Ok(RunSkiff("port", id)).Stdout);
            Assert.Contains("0.0.0.0:5353->53/udp", Ok(RunSkiff("ps")).Stdout);
        });

    [Fact]
    public void The_connections_the_kernel_tracks_for_a_container_are_gone_once_it_stops() =>
        WithUdpServer("10.94.0.0/24", 5354, id =>
        {
            Assert.Contains("src=10.94.0.2", Ok(Sh("conntrack -L -p udp 2>/dev/null")).Stdout);
            Ok(RunSkiff("stop", "-t", "1", id));
            // A client that kept sending would otherwise stay on the old mapping to the dead container.
            var tracked = Ok(Sh("conntrack -L 2>/dev/null")).Stdout;
            Assert.DoesNotContain("10.94.0.2 ", tracked);
            // A whole port number: another test's connection to port 53544 is not this one.
            Assert.DoesNotMatch(@"dport=5354\b", tracked);
        });

    [Fact]
    public void A_container_reaches_its_own_published_port_and_a_neighbour_s_through_the_host_address()
    {
        using var outside = new OutsideMachine();
        WithNetwork("10.96.0.0/24", [], net =>
        {
            var server = Detached(net, ["-p", "8096:80", .. Web]);
            var get = $"timeout 3 wget -q -O- http://{OutsideMachine.HostAddress}:8096/";
            Assert.Contains("published", Eventually(() => RunSkiff("exec", server, "sh", "-c", get)).Stdout);
            Assert.Contains("published", Ok(RunSkiff("run", "--rm", "--network", net, "busybox", "sh", "-c", get)).Stdout);
        });
    }

    [Fact]
    public void Publish_all_puts_every_exposed_port_on_a_free_ephemeral_port()
    {
        using var outside = new OutsideMachine();
        WithNetwork("10.97.0.0/24", [], net =>
        {
            var id = Detached(net, ["-P", "--expose", "80", "--expose", "81/udp", .. Web]);
            var ports = Ports(id);
            var (first, last) = EphemeralRange();
            Assert.Equal(["80/tcp", "81/udp"], ports.Keys.Order());
            Assert.All(ports.Values, p => Assert.InRange(p, first, last));
            Assert.Contains("published", Eventually(() => outside.Bash(Get(OutsideMachine.HostAddress, ports["80/tcp"]))).Stdout);
        });
    }

    [Fact]
    public void A_container_port_alone_gets_a_free_host_port_from_the_kernel_s_ephemeral_range()
    {
        using var outside = new OutsideMachine();
        WithNetwork("10.98.0.0/24", [], net =>
        {
            var (first, last) = EphemeralRange();
            // A program of the host holding the lowest ephemeral port makes Skiff pass it by.
            using var holder = System.Diagnostics.Process.Start("socat", [$"TCP-LISTEN:{first},reuseaddr", "STDOUT"]);
            try
            {
                Eventually(() => Sh($"ss -ltn | grep -q ':{first} '"));
                var a = Detached(net, ["-p", "80", .. Web]);
                var b = Detached(net, ["-p", "80", .. Web]);
                var (portA, portB) = (Ports(a)["80/tcp"], Ports(b)["80/tcp"]);
                Assert.NotEqual(portA, portB);
                Assert.All(new[] { portA, portB }, p => Assert.InRange(p, first + 1, last));
                Assert.Contains("published", Eventually(() => outside.Bash(Get(OutsideMachine.HostAddress, portB))).Stdout);

                var rulesBefore = Ok(Sh(Rules)).Stdout;
                var taken = RunSkiff(["run", "-d", "--network", net, "-p", $"{first}:80", .. Web]);
                Assert.Equal(125, taken.ExitCode);
                Assert.Contains($"port 0.0.0.0:{first}/tcp is already in use by a program on the host", taken.Stderr);
                Assert.Equal(rulesBefore, Ok(Sh(Rules)).Stdout);
            }
            finally
            {
                holder.Kill();
            }
        });
    }

    [Fact]
    public void Port_ranges_publish_one_port_each_and_mismatched_ranges_are_refused()
    {
        WithNetwork("10.99.0.0/24", [], net =>
        {
            var id = Detached(net, "-p", "8100-8102:80-82", "-p", "8110-8119:90", "busybox", "sleep", "300");
            Assert.Equal(new Dictionary<string, int> { ["80/tcp"] = 8100, ["81/tcp"] = 8101, ["82/tcp"] = 8102, ["90/tcp"] = 8110 }, Ports(id));
            Assert.Contains("0.0.0.0:8100-8102->80-82/tcp", Ok(RunSkiff("ps")).Stdout);
            var bad = RunSkiff("run", "-d", "--network", net, "-p", "8200-8202:80-81", "busybox", "true");
            Assert.Equal(125, bad.ExitCode);
            Assert.Contains("invalid ranges specified for container and host Ports: 80-81 and 8200-8202", bad.Stderr);
        });
    }

    [Fact]
    public void Thirty_parallel_rm_f_of_publishing_containers_all_succeed_and_leave_the_rules_as_before()
    {
        WithNetwork("10.100.0.0/24", [], net =>
        {
            var before = Ok(Sh(Rules)).Stdout;
            var ids = Enumerable.Range(0, 30).AsParallel().WithDegreeOfParallelism(30)
                .Select(i => Detached(net, "-p", $"{8300 + i}:80", "busybox", "sleep", "300")).ToList();
            Assert.Equal(30, Regex.Matches(Ok(Sh("iptables-save -t nat")).Stdout, "--dport 83[0-9][0-9] -j DNAT").Count);
            var removed = ids.AsParallel().WithDegreeOfParallelism(30).Select(id => RunSkiff("rm", "-f", id)).ToList();
            Assert.All(removed, r => Assert.True(r.ExitCode == 0, r.ToString()));
            Assert.Equal(before, Ok(Sh(Rules)).Stdout);
        });
    }

    [Fact]
    public void Rules_that_drifted_from_the_records_are_rebuilt_from_them_on_the_next_change()
    {
        WithNetwork("10.101.0.0/24", [], net =>
        {
            var before = Ok(Sh(Rules)).Stdout;
            var id = Detached(net, "-p", "8401:80", "busybox", "sleep", "300");
            // As if a command had been killed between its records and its rules.
            Ok(Sh("iptables -t nat -D SKIFF-DNAT -p tcp -m tcp --dport 8401 -j DNAT --to-destination 10.101.0.2:80"));
            Ok(RunSkiff("rm", "-f", id));
            Assert.Equal(before, Ok(Sh(Rules)).Stdout);
        });
    }

    /// <summary>
    /// Each backend in a namespace and state directory of its own, since rules written with one
    /// flavour are invisible to the other's iptables-save and would outlive the test.
    /// </summary>
    [Theory]
    [InlineData("nft", "legacy")]
    [InlineData("legacy", "nft")]
    public void Both_iptables_backends_publish_a_port_and_clean_up(string backend, string other)
    {
        var script = $$"""
            set -e
            ip link set lo up
            export SKIFF_ROOT=$(mktemp -d) SKIFF_IPTABLES={{backend}}
            mount -t tmpfs t "$SKIFF_ROOT"
            s={{Binary}}
            $s network create --subnet 10.102.0.0/24 net >/dev/null
            id=$($s run -d --network net -p 8102:80 busybox sh -c 'mkdir /w && echo published > /w/index.html && exec httpd -f -p 80 -h /w')
            for i in $(seq 50); do {{Get("127.0.0.1", 8102)}} 2>/dev/null | grep published && break; sleep 0.1; done
            echo "mine: $(iptables-{{backend}}-save -t nat | grep -c 'dport 8102 -j DNAT')"
            echo "other: $(iptables-{{other}}-save 2>/dev/null | grep -c SKIFF || true)"
            $s rm -f $id >/dev/null
            $s network rm net >/dev/null
            echo "left: $(iptables-{{backend}}-save | grep -c -- '-A SKIFF-[DNF]' || true)"
            """;
        var r = Ok(Run("unshare", ["--net", "--mount", "--propagation", "private", "bash", "-c", script]));
        Assert.Contains("published", r.Stdout);
        Assert.Contains("mine: 1\n", r.Stdout);
        Assert.Contains("other: 0\n", r.Stdout);
        Assert.Contains("left: 0\n", r.Stdout);
    }
}
