using Skiff.Linux;
using System.Net;
using Skiff.Network;
using Skiff.Network.Ipam;
using Skiff.Network.Netfilter;

namespace Skiff.UnitTests.Network;

public sealed class BridgeRulesTests
{
    private static readonly BridgeNetwork Net1 = new("net1", "br-one", Ipv4Prefix.Parse("10.1.0.0/24"), IPAddress.Parse("10.1.0.1"), false, true, null);
    private static readonly BridgeNetwork Closed = new("closed", "br-two", Ipv4Prefix.Parse("10.2.0.0/24"), IPAddress.Parse("10.2.0.1"), true, false, null);

    [Fact]
    public void Addresses_skip_network_gateway_and_taken_ones_and_a_full_slash_30_is_a_clear_error()
    {
        var subnet = Ipv4Prefix.Parse("10.9.0.0/30");
        var gateway = AddressPool.DefaultGateway(subnet);
        var first = AddressPool.Next(subnet, gateway, new HashSet<uint>());
        Assert.Equal(IPAddress.Parse("10.9.0.2"), first);
        var error = Assert.Throws<InvalidInputException>(() => AddressPool.Next(subnet, gateway, new HashSet<uint> { Ipv4Prefix.ToUInt32(first) }));
        Assert.Contains("no free address left in subnet 10.9.0.0/30", error.Message);
    }

    [Fact]
    public void A_slash_16_hands_out_addresses_past_the_first_octet_boundary()
    {
        var subnet = Ipv4Prefix.Parse("172.29.0.0/16");
        var taken = Enumerable.Range(2, 300).Select(i => Ipv4Prefix.ToUInt32(IPAddress.Parse("172.29.0.0")) + (uint)i).ToHashSet();
        Assert.Equal(IPAddress.Parse("172.29.1.46"), AddressPool.Next(subnet, IPAddress.Parse("172.29.0.1"), taken));
    }

    [Fact]
    public void Overlapping_subnets_are_detected_either_way_round()
    {
        Assert.True(AddressPool.Overlap(Ipv4Prefix.Parse("10.0.0.0/8"), Ipv4Prefix.Parse("10.5.0.0/16")));
        Assert.True(AddressPool.Overlap(Ipv4Prefix.Parse("10.5.0.0/16"), Ipv4Prefix.Parse("10.0.0.0/8")));
        Assert.False(AddressPool.Overlap(Ipv4Prefix.Parse("10.5.0.0/16"), Ipv4Prefix.Parse("10.6.0.0/16")));
    }

    [Theory]
    [InlineData("8080:80", "0.0.0.0", 8080, 80, "tcp")]
    [InlineData("127.0.0.1:53:5353/udp", "127.0.0.1", 53, 5353, "udp")]
    public void A_stored_binding_reads_back_its_own_spec(string text, string ip, int host, int container, string protocol)
    {
        var binding = PortBinding.Parse(text);
        Assert.Equal(new PortBinding(ip, host, container, protocol), binding);
        Assert.Equal(binding, PortBinding.Parse(binding.Spec));
    }

    [Fact]
    public void A_fresh_host_gets_chains_jumps_and_a_user_chain_that_returns()
    {
        var batch = RuleGenerator.Batch([Net1], [], "");
        Assert.Contains(":SKIFF-USER - [0:0]\n-A SKIFF-USER -j RETURN\n", batch);
        // -I 1 in this order puts SKIFF-USER first in FORWARD.
        Assert.True(batch.IndexOf("-I FORWARD 1 -j SKIFF-FORWARD", StringComparison.Ordinal) < batch.IndexOf("-I FORWARD 1 -j SKIFF-USER", StringComparison.Ordinal));
        Assert.Contains("-A SKIFF-POSTROUTING -s 10.1.0.0/24 ! -o br-one -j MASQUERADE", batch);
        Assert.Contains("-A SKIFF-FORWARD -i br-one -o br-one -j ACCEPT", batch);
        Assert.Contains("-A SKIFF-ISOLATION-STAGE-1 -i br-one ! -o br-one -j SKIFF-ISOLATION-STAGE-2", batch);
        Assert.Contains("-A SKIFF-ISOLATION-STAGE-2 -o br-one -j DROP", batch);
    }

    [Fact]
    public void Existing_jumps_are_not_added_again_and_the_user_chain_is_never_rewritten()
    {
        const string saved = "*filter\n:FORWARD ACCEPT [0:0]\n:SKIFF-USER - [0:0]\n:SKIFF-FORWARD - [0:0]\n-A FORWARD -j SKIFF-USER\n-A FORWARD -j SKIFF-FORWARD\n-A SKIFF-USER -s 1.2.3.4/32 -j DROP\nCOMMIT\n"
            + "*nat\n:SKIFF-DNAT - [0:0]\n-A PREROUTING -m addrtype --dst-type LOCAL -j SKIFF-DNAT\n-A OUTPUT -m addrtype --dst-type LOCAL -j SKIFF-DNAT\n-A POSTROUTING -j SKIFF-POSTROUTING\nCOMMIT\n";
        var batch = RuleGenerator.Batch([Net1], [], saved);
        Assert.DoesNotContain("-I ", batch);
        Assert.DoesNotContain("SKIFF-USER", batch);
    }

    [Fact]
    public void Icc_false_drops_inside_the_bridge_and_internal_has_no_way_out_nor_published_ports()
    {
        var endpoint = new NetworkEndpoint("br-two", IPAddress.Parse("10.2.0.2"), [new PortBinding("0.0.0.0", 8080, 80, "tcp")]);
        var batch = RuleGenerator.Batch([Closed], [endpoint], "");
        Assert.Contains("-A SKIFF-FORWARD -i br-two -o br-two -j DROP", batch);
        Assert.DoesNotContain("-i br-two ! -o br-two -j ACCEPT", batch);
        Assert.Contains("-A SKIFF-ISOLATION-STAGE-1 -i br-two ! -d 10.2.0.0/24 -j DROP", batch);
        Assert.DoesNotContain("MASQUERADE", batch);
        Assert.DoesNotContain("DNAT --to-destination", batch);
    }

    [Fact]
    public void Published_ports_get_dnat_and_an_accept_in_the_network_chain()
    {
        var endpoint = new NetworkEndpoint("br-one", IPAddress.Parse("10.1.0.2"), [new PortBinding("127.0.0.1", 8080, 80, "tcp")]);
        var batch = RuleGenerator.Batch([Net1], [endpoint], "");
        Assert.Contains("-A SKIFF-DNAT -d 127.0.0.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.2:80", batch);
        Assert.Contains("-A SKIFF-N-br-one -d 10.1.0.2/32 ! -i br-one -o br-one -p tcp -m tcp --dport 80 -j ACCEPT", batch);
    }

    [Fact]
    public void Without_networks_everything_but_the_user_chain_goes_away()
    {
        var saved = "*filter\n:SKIFF-USER - [0:0]\n:SKIFF-FORWARD - [0:0]\n:SKIFF-ISOLATION-STAGE-1 - [0:0]\n:SKIFF-ISOLATION-STAGE-2 - [0:0]\n:SKIFF-N-br-one - [0:0]\n"
            + "-A FORWARD -j SKIFF-USER\n-A FORWARD -j SKIFF-FORWARD\nCOMMIT\n*nat\n:SKIFF-DNAT - [0:0]\n:SKIFF-POSTROUTING - [0:0]\n-A POSTROUTING -j SKIFF-POSTROUTING\nCOMMIT\n";
        var batch = RuleGenerator.Batch([], [], saved);
        Assert.Contains("-D FORWARD -j SKIFF-FORWARD\n", batch);
        Assert.Contains("-X SKIFF-N-br-one\n", batch);
        Assert.Contains("-X SKIFF-FORWARD\n", batch);
        Assert.Contains("-D POSTROUTING -j SKIFF-POSTROUTING\n", batch);
        Assert.Contains("-X SKIFF-DNAT\n", batch);
        Assert.DoesNotContain("SKIFF-USER", batch);
    }
}
