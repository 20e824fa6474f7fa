using System.Net;
using Skiff.Cli.Commands;
using Skiff.Engine.Nodes;
using Skiff.Linux.Netlink;
using Skiff.Network.Cluster;
using Skiff.Network;
using Skiff.Network.Netfilter;

namespace Skiff.UnitTests.Cluster;

public sealed class ClusterRoutesTests
{
    private static readonly ClusterConfig Notes = ClusterConfig.Create("172.20.0.0/16", 24);

    private static SubnetLease Lease(string node, string address, string subnet) => new(node, address, subnet);

    [Fact]
    public void Subnets_are_cut_from_the_cluster_cidr_leaving_out_the_first_and_reusing_freed_ones()
    {
        Assert.Equal("172.20.1.0/24", SubnetAllocator.Next(Notes, []).ToString());
        Assert.Equal("172.20.3.0/24", SubnetAllocator.Next(Notes, [Ipv4Prefix.Parse("172.20.1.0/24"), Ipv4Prefix.Parse("172.20.2.0/24")]).ToString());
        Assert.Equal("172.20.1.0/24", SubnetAllocator.Next(Notes, [Ipv4Prefix.Parse("172.20.2.0/24")]).ToString());
    }

    [Fact]
    public void A_full_cluster_says_so()
    {
        var small = ClusterConfig.Create("10.5.0.0/23", 24);
        var error = Assert.Throws<ClusterException>(() => SubnetAllocator.Next(small, [Ipv4Prefix.Parse("10.5.1.0/24")]));
        Assert.Contains("every /24 of the cluster 10.5.0.0/23 is leased", error.Message);
    }

    [Theory]
    [InlineData("172.20.0.0/16", 16, "--subnet-size 16")]
    [InlineData("172.20.0.0/16", 31, "--subnet-size 31")]
    [InlineData("not-a-cidr", 24, "--cluster-cidr not-a-cidr")]
    public void A_bad_cluster_plan_is_refused_by_name(string cidr, int length, string named)
    {
        var error = Assert.Throws<Skiff.Linux.InvalidInputException>(() => ClusterConfig.Create(cidr, length));
        Assert.StartsWith(named, error.Message);
    }

    [Fact]
    public void One_route_per_live_peer_and_none_to_itself()
    {
        var desired = PeerRoutes.Desired([Lease("master", "172.16.91.110", "172.20.1.0/24"), Lease("slave", "172.16.91.230", "172.20.2.0/24")], "master");
        Assert.Equal([new PeerRoute(Ipv4Prefix.Parse("172.20.2.0/24"), IPAddress.Parse("172.16.91.230"))], desired);
    }

    [Fact]
    public void Sync_adds_new_peers_removes_ended_ones_and_moves_a_peer_that_changed_address()
    {
        var table = new RecordingRouteTable(
            new PeerRoute(Ipv4Prefix.Parse("172.20.2.0/24"), IPAddress.Parse("172.16.91.230")),
            new PeerRoute(Ipv4Prefix.Parse("172.20.3.0/24"), IPAddress.Parse("172.16.91.40")),
            new PeerRoute(Ipv4Prefix.Parse("172.20.4.0/24"), IPAddress.Parse("172.16.91.50")));
        var leases = new[]
        {
            Lease("master", "172.16.91.110", "172.20.1.0/24"),
            Lease("slave", "172.16.91.230", "172.20.2.0/24"),
            Lease("third", "172.16.91.41", "172.20.3.0/24"),
            Lease("fourth", "172.16.91.60", "172.20.5.0/24"),
        };
        PeerRoutes.Sync(table, PeerRoutes.Desired(leases, "master"), _ => { });
        Assert.Equal(["172.20.2.0/24 via 172.16.91.230", "172.20.3.0/24 via 172.16.91.41", "172.20.5.0/24 via 172.16.91.60"],
            table.Routes.Select(r => r.ToString()).Order());
        Assert.Equal(["-172.20.3.0/24 via 172.16.91.40", "-172.20.4.0/24 via 172.16.91.50", "+172.20.3.0/24 via 172.16.91.41", "+172.20.5.0/24 via 172.16.91.60"], table.Changes);
    }

    [Fact]
    public void A_synced_table_changes_nothing()
    {
        var table = new RecordingRouteTable(new PeerRoute(Ipv4Prefix.Parse("172.20.2.0/24"), IPAddress.Parse("172.16.91.230")));
        var plan = PeerRoutes.Sync(table, PeerRoutes.Desired([Lease("slave", "172.16.91.230", "172.20.2.0/24")], "master"), _ => { });
        Assert.True(plan.IsEmpty);
        Assert.Empty(table.Changes);
    }

    [Fact]
    public void A_route_the_kernel_refuses_is_reported_and_the_others_still_made()
    {
        var table = new RecordingRouteTable { Refuse = "172.20.2.0/24" };
        var reports = new List<string>();
        PeerRoutes.Sync(table, PeerRoutes.Desired([Lease("b", "10.0.0.2", "172.20.2.0/24"), Lease("c", "10.0.0.3", "172.20.3.0/24")], "a"), reports.Add);
        Assert.Equal(["172.20.3.0/24 via 10.0.0.3"], table.Routes.Select(r => r.ToString()));
        Assert.Contains(reports, r => r.Contains("172.20.2.0/24"));
    }

    [Fact]
    public void Peer_routes_carry_skiffs_protocol_and_delete_matches_only_that_protocol()
    {
        var add = RtnetlinkRequests.NewRoute(7, IPAddress.Parse("172.20.2.0"), 24, IPAddress.Parse("172.16.91.230"), null, IRouteTable.SkiffProtocol);
        var route = RtnetlinkCodec.DecodeRoute(add.AsSpan(16));
        Assert.Equal((IPAddress.Parse("172.20.2.0"), 24, IPAddress.Parse("172.16.91.230"), (int?)null, IRouteTable.SkiffProtocol),
            (route.Destination, route.PrefixLength, route.Gateway, route.OutputInterface, route.Protocol));
        var delete = RtnetlinkRequests.DeleteRoute(8, IPAddress.Parse("172.20.2.0"), 24, IRouteTable.SkiffProtocol);
        Assert.Equal(RtnetlinkRequests.RtmDelRoute, BitConverter.ToUInt16(delete, 4));
        Assert.Equal(IRouteTable.SkiffProtocol, RtnetlinkCodec.DecodeRoute(delete.AsSpan(16)).Protocol);
    }

    [Fact]
    public void The_cluster_network_keeps_real_sources_inside_the_cluster_and_accepts_peers_unless_icc_is_off()
    {
        var cluster = new BridgeNetwork("bridge", "skiff0", Ipv4Prefix.Parse("172.20.1.0/24"), IPAddress.Parse("172.20.1.1"), false, true, null)
        {
            Cluster = [Ipv4Prefix.Parse("172.20.0.0/16")],
        };
        var other = new BridgeNetwork("net1", "br-one", Ipv4Prefix.Parse("10.1.0.0/24"), IPAddress.Parse("10.1.0.1"), false, true, null);
        var batch = RuleGenerator.Batch([cluster, other], [], "");
        var lines = batch.Split('\n');
        var noNat = Array.IndexOf(lines, "-A SKIFF-POSTROUTING -s 172.20.1.0/24 -d 172.20.0.0/16 -j RETURN");
        var masquerade = Array.IndexOf(lines, "-A SKIFF-POSTROUTING -s 172.20.1.0/24 ! -o skiff0 -j MASQUERADE");
        Assert.InRange(noNat, 0, masquerade - 1);
        Assert.Contains("-A SKIFF-N-skiff0 -s 172.20.0.0/16 ! -i skiff0 -j ACCEPT", lines);
        // Another network's containers leave masqueraded, and peers are not let into it.
        Assert.DoesNotContain(lines, l => l.Contains("-s 10.1.0.0/24 -d 172.20.0.0/16"));
        Assert.DoesNotContain(lines, l => l.StartsWith("-A SKIFF-N-br-one -s 172.20.0.0/16"));

        var closed = RuleGenerator.Batch([cluster with { InterContainer = false }], [], "");
        Assert.DoesNotContain("-A SKIFF-N-skiff0 -s 172.20.0.0/16", closed);
    }

    [Fact]
    public void The_static_form_is_a_cluster_of_its_own_subnet_and_its_peers()
    {
        var state = new NodeState("master", "172.16.91.110", "172.20.1.0/24", null, null, 0, [StaticPeer.Parse("172.20.2.0/24=172.16.91.230")]);
        Assert.Equal(["172.20.1.0/24", "172.20.2.0/24"], state.ClusterPrefixes.Select(p => p.ToString()));
        var error = Assert.Throws<Skiff.Linux.InvalidInputException>(() => StaticPeer.Parse("172.20.2.0/24"));
        Assert.Contains("SUBNET=ADDRESS", error.Message);
    }

    [Theory]
    [InlineData("10s", 10)]
    [InlineData("2m", 120)]
    [InlineData("15", 15)]
    public void Lease_ttl_reads_go_durations(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), NodeCommand.Duration(text));

    [Fact]
    public void A_bad_lease_ttl_is_refused_by_name() =>
        Assert.StartsWith("--lease-ttl soon", Assert.Throws<Skiff.Linux.InvalidInputException>(() => NodeCommand.Duration("soon")).Message);

    private sealed class RecordingRouteTable(params PeerRoute[] routes) : IRouteTable
    {
        public List<PeerRoute> Routes { get; } = [.. routes];
        public List<string> Changes { get; } = [];
        public string? Refuse { get; init; }

        public IReadOnlyList<PeerRoute> Owned() => [.. Routes];

        public void Add(PeerRoute route)
        {
            if (route.Subnet.ToString() == Refuse) throw new Skiff.Linux.SyscallException($"add the route {route}", 17);
            Changes.Add($"+{route}");
            Routes.Add(route);
        }

        public void Remove(PeerRoute route)
        {
            Changes.Add($"-{route}");
            Routes.Remove(route);
        }
    }
}
