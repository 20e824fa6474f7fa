using Skiff.Network.HostState;
using Skiff.Network.Netfilter;
using Skiff.Network.Trace;
using static Skiff.UnitTests.Network.TestHost;

namespace Skiff.UnitTests.Network;

public sealed class PacketTracerTests
{
    private static TraceResult Trace(string rules, string from, string to, int protocol, int? dport = null, string? inInterface = null,
        IReadOnlyList<ConntrackEntry>? conntrack = null, int? sport = null)
    {
        var resolver = new AddressResolver();
        return new PacketTracer(With(rules, conntrack)).Trace(new TraceRequest(resolver.Resolve(from)!, resolver.Resolve(to)!, protocol)
        {
            DestinationPort = dport, InInterface = inInterface, SourcePort = sport,
        });
    }

    private static List<string> Matched(PacketPath path) =>
        path.Events.Where(e => e.Kind == "rule" && e.Matched == true).Select(e => $"{e.Table} {e.Chain} #{e.Rule}")
            .Concat(path.Events.Where(e => e.Kind == "policy").Select(e => $"{e.Table} {e.Chain} policy")).ToList();

    private static readonly string DockerRules = IptablesSaveParserTests.DockerFromNotes.Replace("docker0", "skiff0").Replace("172.17.", "172.30.");

    [Fact]
    public void Container_to_outside_walks_the_notes_FORWARD_chain_and_is_masqueraded()
    {
        var result = Trace(DockerRules, "172.30.0.2", "203.0.113.5", Protocols.Tcp, 80);
        var path = result.Original;
        Assert.Equal("sent", path.Outcome.Verdict);
        Assert.Equal("uplink", path.Outcome.OutInterface);
        // The notes' order: DOCKER-USER returns, isolation stage 1 sends to stage 2, which returns, then "-i docker0 ! -o docker0" accepts.
        var filterRules = path.Events.Where(e => e.Kind == "rule" && e.Table == "filter" && e.Matched == true).Select(e => $"{e.Chain} #{e.Rule}");
        Assert.Equal(["FORWARD #1", "DOCKER-USER #1", "FORWARD #2", "DOCKER-ISOLATION-STAGE-1 #1", "DOCKER-ISOLATION-STAGE-2 #2", "DOCKER-ISOLATION-STAGE-1 #2", "FORWARD #5"], filterRules);
        Assert.True(path.Events.Single(e => e.Deciding).RuleText == "-A FORWARD -i skiff0 ! -o skiff0 -j ACCEPT");
        Assert.Equal("tcp 198.51.100.1:40000 -> 203.0.113.5:80", path.Outcome.FinalPacket);
        // The reply is de-masqueraded back to the container and accepted as ESTABLISHED.
        Assert.Equal("sent", result.Reply!.Outcome.Verdict);
        Assert.Equal("tcp 203.0.113.5:80 -> 172.30.0.2:40000", result.Reply.Outcome.FinalPacket);
        Assert.Contains("filter FORWARD #3", Matched(result.Reply));
    }

    [Fact]
    public void Container_to_host_is_delivered_after_the_DOCKER_chain_returns()
    {
        var path = Trace(DockerRules, "172.30.0.2", "host", Protocols.Udp, 53).Original;
        Assert.Equal("accepted-locally", path.Outcome.Verdict);
        Assert.Equal(["nat PREROUTING #1", "nat DOCKER #1"], Matched(path).Where(m => m.Contains('#')));
        Assert.Equal("filter INPUT policy ACCEPT", path.Outcome.DecidedBy);
        Assert.Contains(path.Events, e => e.Kind == "hook" && e.Text.Contains("physdev-in vc1"));
    }

    [Fact]
    public void Outside_to_a_published_port_is_DNATed_before_routing_and_accepted_by_the_DOCKER_chain()
    {
        var path = Trace(DockerRules, "198.51.100.7", "host", Protocols.Tcp, 65432).Original;
        Assert.Equal("sent", path.Outcome.Verdict);
        Assert.Equal("tcp 198.51.100.7:40000 -> 172.30.0.2:5432", path.Outcome.FinalPacket);
        var route = path.Events.First(e => e.Kind == "route");
        Assert.Contains("172.30.0.2", route.Text);
        Assert.Equal("-A DOCKER -d 172.30.0.2/32 ! -i skiff0 -o skiff0 -p tcp -m tcp --dport 5432 -j ACCEPT", path.Events.Single(e => e.Deciding).RuleText);
    }

    [Fact]
    public void Outside_straight_to_a_container_falls_to_the_FORWARD_policy_drop()
    {
        var path = Trace(DockerRules, "198.51.100.7", "172.30.0.2", Protocols.Tcp, 80).Original;
        Assert.Equal("dropped", path.Outcome.Verdict);
        Assert.Equal("filter FORWARD policy DROP", path.Outcome.DecidedBy);
    }

    [Fact]
    public void Container_to_container_is_bridged_through_FORWARD_with_both_ports()
    {
        var path = Trace(DockerRules, "172.30.0.2", "172.30.0.4", Protocols.Icmp).Original;
        Assert.Equal("sent", path.Outcome.Verdict);
        Assert.Contains(path.Events, e => e.Kind == "hook" && e.Text.Contains("FORWARD") && e.Text.Contains("physdev-in vc1 physdev-out vc2"));
        Assert.Equal("-A FORWARD -i skiff0 -o skiff0 -j ACCEPT", path.Events.Single(e => e.Deciding).RuleText);
    }

    [Fact]
    public void Host_to_container_goes_through_OUTPUT_and_POSTROUTING_only()
    {
        var path = Trace(DockerRules, "host", "172.30.0.4", Protocols.Udp, 53).Original;
        Assert.Equal("sent", path.Outcome.Verdict);
        Assert.Equal(["OUTPUT", "POSTROUTING"], path.Events.Where(e => e.Kind == "hook").Select(e => e.Text.Split(':')[0]));
        Assert.Equal("udp 172.30.0.1:40000 -> 172.30.0.4:53", path.Outcome.FinalPacket);
    }

    [Fact]
    public void An_established_conntrack_entry_skips_nat_and_keeps_its_old_translation()
    {
        // The DNAT rule now points elsewhere, but the flow began when it pointed at .2: the entry wins, as the cross-node note saw.
        var rules = DockerRules.Replace("--to-destination 172.30.0.2:5432", "--to-destination 172.30.0.4:5432");
        var entry = ConntrackParser.Parse("ipv4     2 tcp      6 431999 ESTABLISHED src=198.51.100.7 dst=198.51.100.1 sport=40000 dport=65432 src=172.30.0.2 dst=198.51.100.7 sport=5432 dport=40000 [ASSURED] mark=0 zone=0 use=2");
        var path = Trace(rules, "198.51.100.7", "host", Protocols.Tcp, 65432, conntrack: entry).Original;
        Assert.DoesNotContain(path.Events, e => e.Table == "nat" && e.Kind == "rule");
        var note = path.Events.Single(e => e.Kind == "conntrack").Text;
        Assert.Contains("existing connection", note);
        Assert.Contains("does not apply", note);
        Assert.Equal("tcp 198.51.100.7:40000 -> 172.30.0.2:5432", path.Outcome.FinalPacket);
        Assert.Equal("-A FORWARD -o skiff0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", path.Events.Single(e => e.Deciding).RuleText);
    }

    private const string Chains = """
        *filter
        :INPUT DROP [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :A - [0:0]
        :B - [0:0]
        -A INPUT -g A
        -A INPUT -j ACCEPT
        -A A -j B
        -A A -p udp -j RETURN
        -A B -p udp -m udp --dport 53 -j RETURN
        -A B -j DROP
        COMMIT
        """;

    [Fact]
    public void Goto_does_not_come_back_so_RETURN_from_it_applies_the_policy()
    {
        var path = Trace(Chains, "198.51.100.7", "host", Protocols.Udp, 53).Original;
        Assert.Equal(["filter INPUT #1", "filter A #1", "filter B #1", "filter A #2", "filter INPUT policy"], Matched(path).Where(m => m.StartsWith("filter")));
        Assert.Equal("dropped", path.Outcome.Verdict);
        Assert.Equal("filter INPUT policy DROP", path.Outcome.DecidedBy);
    }

    [Fact]
    public void Jump_returns_to_the_next_rule_and_a_drop_in_a_subchain_decides()
    {
        var path = Trace(Chains, "198.51.100.7", "host", Protocols.Udp, 54).Original;
        Assert.Equal("dropped", path.Outcome.Verdict);
        Assert.Equal("filter B rule 2: -A B -j DROP", path.Outcome.DecidedBy);
    }

    [Fact]
    public void An_unknown_match_stops_the_trace_without_a_verdict()
    {
        var rules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m recent --rcheck -j DROP\n-A INPUT -j ACCEPT\nCOMMIT\n";
        var path = Trace(rules, "198.51.100.7", "host", Protocols.Udp, 53).Original;
        Assert.Equal("unknown", path.Outcome.Verdict);
        Assert.Contains("recent", path.Outcome.DecidedBy);
        Assert.DoesNotContain(path.Events, e => e.Kind == "rule" && e.RuleText == "-A INPUT -j ACCEPT");
    }

    [Fact]
    public void A_failing_match_decides_even_next_to_an_unknown_one()
    {
        var rules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m recent --rcheck -j DROP\nCOMMIT\n";
        Assert.Equal("accepted-locally", Trace(rules, "198.51.100.7", "host", Protocols.Udp, 53).Original.Outcome.Verdict);
    }

    [Fact]
    public void Raw_table_sees_conntrack_state_INVALID_and_mark_set_in_mangle_is_seen_later()
    {
        var rules = """
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A PREROUTING -m conntrack --ctstate INVALID -j ACCEPT
            COMMIT
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -j MARK --set-xmark 0x3/0xffffffff
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A INPUT -m mark --mark 0x3 -m conntrack --ctstate NEW -j DROP
            COMMIT
            """;
        var path = Trace(rules, "198.51.100.7", "host", Protocols.Udp, 53).Original;
        Assert.Contains("raw PREROUTING #1", Matched(path));
        Assert.Equal("dropped", path.Outcome.Verdict);
    }

    [Fact]
    public void Routing_picks_local_then_the_longest_prefix_and_blackholes_drop()
    {
        var network = new HostNetwork(With("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n"));
        Assert.True(network.Lookup(Ip("198.51.100.1"))!.IsLocal);
        Assert.Equal("skiff0", network.Lookup(Ip("172.30.9.9"))!.OutInterface);
        Assert.Equal(Ip("198.51.100.254"), network.Lookup(Ip("8.8.8.8"))!.Gateway);
        Assert.Equal(AddressTypes.Broadcast, network.AddressType(Ip("172.30.255.255"), null));
        Assert.Equal(AddressTypes.Unicast, network.AddressType(Ip("172.30.0.1"), "uplink"));
        Assert.Equal("vc2", network.BridgePortOf(Ip("172.30.0.4"), "skiff0"));
        var path = Trace(DockerRules, "host", "192.0.2.1", Protocols.Icmp).Original;
        Assert.Equal("dropped", path.Outcome.Verdict);
        Assert.Contains("blackhole", path.Outcome.DecidedBy);
    }

    [Fact]
    public void REJECT_answers_with_an_icmp_error_whose_own_path_is_traced()
    {
        var rules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p udp -j REJECT --reject-with icmp-port-unreachable\nCOMMIT\n";
        var result = Trace(rules, "198.51.100.7", "host", Protocols.Udp, 53);
        Assert.Equal("rejected", result.Original.Outcome.Verdict);
        Assert.Equal("rejection", result.Reply!.Direction);
        Assert.Equal("icmp 198.51.100.1 -> 198.51.100.7 icmp type 3/3", result.Reply.Packet);
        Assert.Contains("filter OUTPUT policy", Matched(result.Reply));
    }

    [Fact]
    public void Text_and_json_name_the_deciding_rule()
    {
        var result = Trace(DockerRules, "198.51.100.7", "172.30.0.2", Protocols.Tcp, 80);
        Assert.Contains("=> [filter FORWARD] policy DROP", TraceTextRenderer.Render(result));
        var json = System.Text.Json.JsonDocument.Parse(TraceJsonContext.Serialize(result)).RootElement;
        Assert.Equal("dropped", json.GetProperty("original").GetProperty("outcome").GetProperty("verdict").GetString());
    }
}
