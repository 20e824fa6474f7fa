using Skiff.Linux;
using System.Buffers.Binary;
using System.Net;
using Skiff.Linux.Netlink;

namespace Skiff.UnitTests.Network;

public sealed class RtnetlinkRequestsTests
{
    private static (ushort Type, ushort Flags, uint Sequence, byte[] Payload) Header(byte[] message)
    {
        Assert.Equal(message.Length, NetlinkMessage.Align((int)BinaryPrimitives.ReadUInt32LittleEndian(message)));
        var m = Assert.Single(NetlinkMessage.DecodeAll(message));
        return (m.Type, m.Flags, m.Sequence, m.Payload);
    }

    [Fact]
    public void New_bridge_asks_to_create_exclusively_with_an_ack_and_names_its_kind()
    {
        var (type, flags, sequence, payload) = Header(RtnetlinkRequests.NewBridge(9, "skiff0", 1400));
        Assert.Equal((RtnetlinkCodec.RtmNewLink, 0x605, 9u), (type, flags, sequence));
        var attributes = NetlinkAttributes.Parse(payload.AsSpan(16));
        Assert.Equal("skiff0", attributes.String(3));
        Assert.Equal(1400u, attributes.UInt32(4));
        Assert.Equal("bridge", attributes.Nested(18)!.String(1));
    }

    [Fact]
    public void New_veth_creates_the_peer_inside_the_namespace_under_its_final_name_and_mac()
    {
        var (_, _, _, payload) = Header(RtnetlinkRequests.NewVeth(1, "veth1234", "eth0", 42, peerMacAddress: [0x02, 0x42, 10, 9, 0, 2]));
        var info = NetlinkAttributes.Parse(payload.AsSpan(16)).Nested(18)!;
        Assert.Equal("veth", info.String(1));
        var peer = info.Nested(2)!.Bytes(1)!;
        var peerAttributes = NetlinkAttributes.Parse(peer.AsSpan(16));
        Assert.Equal("eth0", peerAttributes.String(3));
        Assert.Equal(42u, peerAttributes.UInt32(28));
        Assert.Equal([0x02, 0x42, 10, 9, 0, 2], peerAttributes.Bytes(1));
    }

    [Fact]
    public void Set_link_up_sets_the_flag_in_both_flags_and_change_mask_and_the_master()
    {
        var (type, flags, _, payload) = Header(RtnetlinkRequests.SetLink(2, "veth1234", up: true, masterIndex: 7));
        Assert.Equal((RtnetlinkCodec.RtmNewLink, 0x5), (type, flags));
        Assert.Equal((1u, 1u), (BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(8)), BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(12))));
        Assert.Equal(7u, NetlinkAttributes.Parse(payload.AsSpan(16)).UInt32(10));
    }

    [Fact]
    public void New_address_carries_local_address_prefix_and_broadcast()
    {
        var (type, _, _, payload) = Header(RtnetlinkRequests.NewAddress(3, 5, IPAddress.Parse("10.1.2.3"), 24));
        Assert.Equal(RtnetlinkCodec.RtmNewAddr, type);
        var address = RtnetlinkCodec.DecodeAddress(payload);
        Assert.Equal((5, IPAddress.Parse("10.1.2.3"), 24, IPAddress.Parse("10.1.2.255")),
            (address.InterfaceIndex, address.Address, address.PrefixLength, address.Broadcast));
    }

    [Fact]
    public void Default_route_has_no_destination_and_goes_via_the_gateway_on_the_interface()
    {
        var (type, _, _, payload) = Header(RtnetlinkRequests.NewRoute(4, null, 0, IPAddress.Parse("10.1.2.1"), 2));
        Assert.Equal(RtnetlinkCodec.RtmNewRoute, type);
        var route = RtnetlinkCodec.DecodeRoute(payload);
        Assert.Equal((RouteTables.Main, RouteType.Unicast, (IPAddress?)null, 0, IPAddress.Parse("10.1.2.1"), 2),
            (route.Table, route.Type, route.Destination, route.PrefixLength, route.Gateway, route.OutputInterface!.Value));
    }

    [Fact]
    public void Interface_names_longer_than_the_kernel_allows_are_refused()
    {
        Assert.Throws<InvalidInputException>(() => RtnetlinkRequests.DeleteLink(1, "a-very-long-name-x"));
    }
}
