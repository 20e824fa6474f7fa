using Skiff.Network.HostState;
using static Skiff.UnitTests.Network.TestHost;

namespace Skiff.UnitTests.Network;

public sealed class ConntrackParserTests
{
    [Fact]
    public void Proc_and_conntrack_tool_lines_give_both_tuples_and_the_NAT()
    {
        var entries = ConntrackParser.Parse("""
            ipv4     2 tcp      6 431999 ESTABLISHED src=198.51.100.7 dst=198.51.100.1 sport=40000 dport=8080 src=172.30.0.2 dst=198.51.100.7 sport=80 dport=40000 [ASSURED] mark=0 zone=0 use=2
            udp      17 29 src=172.30.0.2 dst=8.8.8.8 sport=5000 dport=53 [UNREPLIED] src=8.8.8.8 dst=198.51.100.1 sport=53 dport=5000 mark=0 use=1
            icmp     1 29 src=172.30.0.2 dst=172.30.0.4 type=8 code=0 id=7 src=172.30.0.4 dst=172.30.0.2 type=0 code=0 id=7 mark=0 use=1
            conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.
            """);
        Assert.Equal(3, entries.Count);
        Assert.Equal(("ESTABLISHED", true, false), (entries[0].TcpState, entries[0].IsDestinationNatted, entries[0].IsSourceNatted));
        Assert.Equal(Ip("172.30.0.2"), entries[0].Reply.Source);
        Assert.True(entries[1].Unreplied && entries[1].IsSourceNatted);
        Assert.Equal((8, 7), (entries[2].Original.IcmpType!.Value, entries[2].Original.IcmpId!.Value));
    }
}
