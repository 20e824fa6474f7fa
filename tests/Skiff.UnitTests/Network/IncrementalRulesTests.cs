using System.Net;
using Skiff.Network;
using Skiff.Network.Netfilter;

namespace Skiff.UnitTests.Network;

/// <summary>A container's start and stop touch only its own rules, and leave what a full rebuild would write.</summary>
public sealed class IncrementalRulesTests
{
    private static readonly BridgeNetwork One = new("one", "br-one", Ipv4Prefix.Parse("10.1.0.0/24"), IPAddress.Parse("10.1.0.1"), false, true, null);
    private static readonly BridgeNetwork Two = new("two", "br-two", Ipv4Prefix.Parse("10.2.0.0/24"), IPAddress.Parse("10.2.0.1"), false, false, null);
    private static readonly BridgeNetwork Closed = new("closed", "br-in", Ipv4Prefix.Parse("10.3.0.0/24"), IPAddress.Parse("10.3.0.1"), true, true, null);
    private static readonly BridgeNetwork[] Networks = [One, Two, Closed];

    // Containers alternate between the networks and publish tcp, udp, bound and unbound ports.
    private static NetworkEndpoint Container(int i)
    {
        var network = Networks[i % 3];
        var address = IPAddress.Parse(network.Subnet.ToString().Replace(".0/24", $".{i + 2}"));
        return new NetworkEndpoint(network.BridgeName, address,
            [new PortBinding("0.0.0.0", 8000 + i, 80, "tcp"), new PortBinding(i % 2 == 0 ? "127.0.0.1" : "0.0.0.0", 9000 + i, 53, "udp")]);
    }

    private static RestoreSimulator Rebuilt(IReadOnlyList<NetworkEndpoint> endpoints)
    {
        var host = new RestoreSimulator();
        host.Apply(RuleGenerator.Batch(Networks, endpoints, ""));
        return host;
    }

    [Fact]
    public void Adding_thirty_containers_one_by_one_leaves_exactly_the_rules_of_a_rebuild()
    {
        var endpoints = Enumerable.Range(0, 30).Select(Container).ToList();
        var host = Rebuilt([]);
        foreach (var e in endpoints) host.Apply(RuleGenerator.EndpointBatch(Networks.Single(n => n.BridgeName == e.BridgeName), e, add: true));
        Assert.Equal(Rebuilt(endpoints).Save(), host.Save());
    }

    [Fact]
    public void Removing_containers_in_any_order_leaves_the_rebuild_of_those_that_remain()
    {
        var endpoints = Enumerable.Range(0, 12).Select(Container).ToList();
        var host = Rebuilt(endpoints);
        var removed = new[] { 5, 0, 11, 7 };
        foreach (var i in removed) host.Apply(RuleGenerator.EndpointBatch(Networks.Single(n => n.BridgeName == endpoints[i].BridgeName), endpoints[i], add: false));
        Assert.Equal(Rebuilt([.. endpoints.Where((_, i) => !removed.Contains(i))]).Save(), host.Save());
        Assert.DoesNotContain("8005", host.Save());
    }

    [Fact]
    public void A_container_batch_only_appends_or_deletes_and_holds_docker_s_hairpin_masquerade()
    {
        var e = new NetworkEndpoint("br-one", IPAddress.Parse("10.1.0.7"), [new PortBinding("0.0.0.0", 8080, 80, "tcp")]);
        var add = RuleGenerator.EndpointBatch(One, e, add: true);
        Assert.Equal(
            "*filter\n-A SKIFF-N-br-one -d 10.1.0.7/32 ! -i br-one -o br-one -p tcp -m tcp --dport 80 -j ACCEPT\nCOMMIT\n"
            + "*nat\n-A SKIFF-POSTROUTING -s 10.1.0.7/32 -d 10.1.0.7/32 -p tcp -m tcp --dport 80 -j MASQUERADE\n"
            + "-A SKIFF-DNAT -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.7:80\nCOMMIT\n", add);
        Assert.Equal(add.Replace("-A ", "-D "), RuleGenerator.EndpointBatch(One, e, add: false));
    }

    [Fact]
    public void Deleting_rules_that_are_not_there_fails_the_batch_so_the_caller_rebuilds()
    {
        var host = Rebuilt([]);
        Assert.Throws<InvalidOperationException>(() => host.Apply(RuleGenerator.EndpointBatch(One, Container(0), add: false)));
        Assert.Equal(Rebuilt([]).Save(), host.Save());
    }
}
