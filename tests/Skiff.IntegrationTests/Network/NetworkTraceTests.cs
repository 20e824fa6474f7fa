using Xunit.Abstractions;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests.Network;

/// <summary>
/// `skiff network trace` proven against the kernel: each packet is traced, then sent for real, and
/// the rule and policy counters the kernel moved must be exactly the ones the trace matched.
/// </summary>
[Collection("host state")]
public sealed class NetworkTraceTests(ITestOutputHelper output) : IDisposable
{
    private readonly NetnsTopology _topology = new();
    private int _nextPort = 20000;

    public void Dispose() => _topology.Dispose();

    /// <summary>The filter and nat layout Skiff's bridge driver will write (Docker's, with Skiff's chain names).</summary>
    private const string SkiffRules = """
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        :SKIFF - [0:0]
        -A PREROUTING -m addrtype --dst-type LOCAL -j SKIFF
        -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j SKIFF
        -A POSTROUTING -s 172.30.0.0/16 ! -o skiff0 -j MASQUERADE
        -A POSTROUTING -s 172.30.0.2/32 -d 172.30.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE
        -A SKIFF -i skiff0 -j RETURN
        -A SKIFF ! -i skiff0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.30.0.2:80
        -A SKIFF ! -i skiff0 -p udp -m udp --dport 5353 -j DNAT --to-destination 172.30.0.4:53
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        :SKIFF - [0:0]
        :SKIFF-USER - [0:0]
        :SKIFF-ISOLATION-STAGE-1 - [0:0]
        :SKIFF-ISOLATION-STAGE-2 - [0:0]
        -A FORWARD -j SKIFF-USER
        -A FORWARD -j SKIFF-ISOLATION-STAGE-1
        -A FORWARD -o skiff0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A FORWARD -o skiff0 -j SKIFF
        -A FORWARD -i skiff0 ! -o skiff0 -j ACCEPT
        -A FORWARD -i skiff0 -o skiff0 -j ACCEPT
        -A SKIFF -d 172.30.0.2/32 ! -i skiff0 -o skiff0 -p tcp -m tcp --dport 80 -j ACCEPT
        -A SKIFF -d 172.30.0.4/32 ! -i skiff0 -o skiff0 -p udp -m udp --dport 53 -j ACCEPT
        -A SKIFF-ISOLATION-STAGE-1 -i skiff0 ! -o skiff0 -j SKIFF-ISOLATION-STAGE-2
        -A SKIFF-ISOLATION-STAGE-1 -j RETURN
        -A SKIFF-ISOLATION-STAGE-2 -o skiff0 -j DROP
        -A SKIFF-ISOLATION-STAGE-2 -j RETURN
        -A SKIFF-USER -j RETURN
        COMMIT
        """;

    /// <summary>The Docker rules quoted in container-internals-notes.md, with docker0 and 172.17/16 renamed to the topology's bridge and subnet.</summary>
    private const string DockerRulesFromNotes = """
        *filter
        :INPUT ACCEPT [5317:565483]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [5282:889835]
        :DOCKER - [0:0]
        :DOCKER-ISOLATION-STAGE-1 - [0:0]
        :DOCKER-ISOLATION-STAGE-2 - [0:0]
        :DOCKER-USER - [0:0]
        -A FORWARD -j DOCKER-USER
        -A FORWARD -j DOCKER-ISOLATION-STAGE-1
        -A FORWARD -o skiff0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A FORWARD -o skiff0 -j DOCKER
        -A FORWARD -i skiff0 ! -o skiff0 -j ACCEPT
        -A FORWARD -i skiff0 -o skiff0 -j ACCEPT
        -A DOCKER -d 172.30.0.2/32 ! -i skiff0 -o skiff0 -p tcp -m tcp --dport 5432 -j ACCEPT
        -A DOCKER -d 172.30.0.4/32 ! -i skiff0 -o skiff0 -p tcp -m tcp --dport 36790 -j ACCEPT
        -A DOCKER -d 172.30.0.4/32 ! -i skiff0 -o skiff0 -p tcp -m tcp --dport 36789 -j ACCEPT
        -A DOCKER -d 172.30.0.2/32 -i uplink -o skiff0 -p icmp -j ACCEPT
        -A DOCKER-ISOLATION-STAGE-1 -i skiff0 ! -o skiff0 -j DOCKER-ISOLATION-STAGE-2
        -A DOCKER-ISOLATION-STAGE-1 -j RETURN
        -A DOCKER-ISOLATION-STAGE-2 -o skiff0 -j DROP
        -A DOCKER-ISOLATION-STAGE-2 -j RETURN
        -A DOCKER-USER -j RETURN
        COMMIT
        *nat
        :PREROUTING ACCEPT [656:24268]
        :INPUT ACCEPT [653:24088]
        :OUTPUT ACCEPT [476:29996]
        :POSTROUTING ACCEPT [479:30176]
        :DOCKER - [0:0]
        -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
        -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
        -A POSTROUTING -s 172.30.0.0/16 ! -o skiff0 -j MASQUERADE
        -A POSTROUTING -s 172.30.0.2/32 -d 172.30.0.2/32 -p tcp -m tcp --dport 5432 -j MASQUERADE
        -A POSTROUTING -s 172.30.0.4/32 -d 172.30.0.4/32 -p tcp -m tcp --dport 36790 -j MASQUERADE
        -A POSTROUTING -s 172.30.0.4/32 -d 172.30.0.4/32 -p tcp -m tcp --dport 36789 -j MASQUERADE
        -A DOCKER -i skiff0 -j RETURN
        -A DOCKER ! -i skiff0 -p tcp -m tcp --dport 65432 -j DNAT --to-destination 172.30.0.2:5432
        -A DOCKER ! -i skiff0 -p tcp -m tcp --dport 65300 -j DNAT --to-destination 172.30.0.4:36790
        -A DOCKER ! -i skiff0 -p tcp -m tcp --dport 65299 -j DNAT --to-destination 172.30.0.4:36789
        COMMIT
        """;

    private ProbePacket Packet(string ns, string from, System.Net.IPAddress source, System.Net.IPAddress destination, string protocol, int dport) =>
        new(ns, from, source, destination, protocol, _nextPort++, dport);

    /// <summary>
    /// The five walks of the notes: container→host, container→outside, host→container, outside→container
    /// (published port, and straight to the container as in the cross-node note), container↔container.
    /// The UDP port must be one the host listens on when it is not published.
    /// </summary>
    private List<ProbePacket> NotesWalks(int publishedTcpPort, int publishedUdpPort)
    {
        var t = _topology;
        return
        [
            Packet(t.C1, "172.30.0.2", NetnsTopology.Container1, NetnsTopology.BridgeAddress, "udp", 53),
            Packet(t.C1, "172.30.0.2", NetnsTopology.Container1, NetnsTopology.UplinkAddress, "icmp", 0),
            Packet(t.C1, "172.30.0.2", NetnsTopology.Container1, NetnsTopology.Outside, "tcp", 80),
            Packet(t.C1, "172.30.0.2", NetnsTopology.Container1, NetnsTopology.Outside, "icmp", 0),
            Packet(t.Host, "host", NetnsTopology.BridgeAddress, NetnsTopology.Container1, "udp", 53),
            Packet(t.Host, "host", NetnsTopology.BridgeAddress, NetnsTopology.Container2, "icmp", 0),
            Packet(t.Out, "198.51.100.2", NetnsTopology.Outside, NetnsTopology.UplinkAddress, "tcp", publishedTcpPort),
            Packet(t.Out, "198.51.100.2", NetnsTopology.Outside, NetnsTopology.UplinkAddress, "udp", publishedUdpPort),
            Packet(t.Out, "198.51.100.2", NetnsTopology.Outside, NetnsTopology.Container1, "tcp", 80),
            Packet(t.Out, "198.51.100.2", NetnsTopology.Outside, NetnsTopology.Container1, "icmp", 0),
            Packet(t.C1, "172.30.0.2", NetnsTopology.Container1, NetnsTopology.Container2, "udp", 53),
            Packet(t.C2, "172.30.0.4", NetnsTopology.Container2, NetnsTopology.Container1, "icmp", 0),
            Packet(t.C1, "172.30.0.2", NetnsTopology.Container1, NetnsTopology.BridgeAddress, "udp", publishedUdpPort),
        ];
    }

    private void AssertAllAgree(List<Comparison> comparisons, DifferentialHarness harness)
    {
        var disagreements = comparisons.Where(c => !c.Agrees).ToList();
        output.WriteLine($"agreement: {comparisons.Count - disagreements.Count}/{comparisons.Count} packets ({harness.Retries} sent twice after outside noise)");
        Assert.True(disagreements.Count == 0, string.Join("\n", disagreements.Take(10)));
    }

    [Fact]
    public void Trace_of_the_notes_walks_on_Skiff_rules_matches_the_kernel_counters()
    {
        var harness = new DifferentialHarness(_topology);
        var comparisons = harness.Compare("skiff rules", SkiffRules, NotesWalks(8080, 5353));
        AssertAllAgree(comparisons, harness);
        // The notes' conclusions hold: outside reaches the published port, and the container directly only where a rule allows it.
        Assert.Equal("sent", comparisons[6].Verdict);
        Assert.Equal("dropped", comparisons[9].Verdict);
        Assert.Equal("sent", comparisons[10].Verdict);
    }

    [Fact]
    public void Trace_of_the_notes_walks_on_the_Docker_rules_quoted_in_the_notes_matches_the_kernel_counters()
    {
        var harness = new DifferentialHarness(_topology);
        var comparisons = harness.Compare("docker rules", DockerRulesFromNotes, NotesWalks(65432, 53));
        AssertAllAgree(comparisons, harness);
        Assert.Equal("sent", comparisons[9].Verdict); // the cross-node note's icmp ACCEPT rule
    }

    [Fact]
    public void Trace_of_300_random_rulesets_matches_the_kernel_counters()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SKIFF_TRACE_SEED"), out var s) ? s : 6;
        var generator = new RandomRulesets(seed);
        var harness = new DifferentialHarness(_topology);
        var comparisons = new List<Comparison>();
        for (var i = 0; i < 300; i++)
            comparisons.AddRange(harness.Compare($"seed {seed} ruleset {i}", generator.Next(), generator.Packets(_topology, ref _nextPort)));
        var verdicts = comparisons.GroupBy(c => c.Verdict).Select(g => $"{g.Key} {g.Count()}");
        output.WriteLine($"300 rulesets, verdicts: {string.Join(", ", verdicts)}");
        AssertAllAgree(comparisons, harness);
    }

    [Fact]
    public void Established_connection_skips_the_nat_rules_and_the_trace_names_the_entry()
    {
        var restore = Run("ip", ["netns", "exec", _topology.Host, "iptables-restore"], SkiffRules);
        Assert.Equal(0, restore.ExitCode);
        _topology.Exec(_topology.Host, "conntrack -F");
        // The first packet of the flow creates the entry (DNAT to the container); then the DNAT rule is removed, as in the note.
        var first = Packet(_topology.Out, "198.51.100.2", NetnsTopology.Outside, NetnsTopology.UplinkAddress, "udp", 5353);
        first.Send();
        Thread.Sleep(50);
        Assert.Equal(0, _topology.Exec(_topology.Host, "iptables -t nat -D SKIFF 3").ExitCode);
        var trace = Run("ip", ["netns", "exec", _topology.Host, Binary, "network", "trace", "--from", "198.51.100.2", "--to", "198.51.100.1",
            "--proto", "udp", "--sport", first.SourcePort.ToString(), "--dport", "5353"]);
        Assert.True(trace.ExitCode == 0, trace.ToString());
        Assert.Contains("existing connection", trace.Stdout);
        Assert.Contains("dport=5353", trace.Stdout);
        Assert.Contains("=> udp 198.51.100.2:" + first.SourcePort + " -> 172.30.0.4:53", trace.Stdout);
    }

    [Fact]
    public void Trace_with_a_bad_address_exits_125_with_a_message()
    {
        var r = RunSkiff("network", "trace", "--from", "web1", "--to", "host", "--dport", "80");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("--from \"web1\"", r.Stderr);
        r = RunSkiff("network", "trace", "--from", "10.0.0.1", "--to", "host", "--proto", "sctp", "--dport", "80");
        Assert.Equal(125, r.ExitCode);
    }
}
