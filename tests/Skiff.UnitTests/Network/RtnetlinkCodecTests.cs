using System.Buffers.Binary;
using System.Net;
using Skiff.Linux.Netlink;

namespace Skiff.UnitTests.Network;

public sealed class RtnetlinkCodecTests
{
    [Fact]
    public void Dump_request_is_a_header_plus_the_family_byte()
    {
        var bytes = RtnetlinkCodec.DumpRequest(RtnetlinkCodec.RtmGetRoute, RtnetlinkCodec.AfInet, 7);
        Assert.Equal(28, bytes.Length);
        Assert.Equal(28u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(RtnetlinkCodec.RtmGetRoute, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(0x301, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)));
        Assert.Equal(7u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(2, bytes[16]);
    }

    [Fact]
    public void Several_messages_in_one_datagram_are_split_on_their_padded_lengths()
    {
        var datagram = NetlinkMessage.Encode(16, 2, 1, [1, 2, 3, 4, 5]).Concat(NetlinkMessage.Encode(NetlinkMessage.Done, 2, 1, [0, 0, 0, 0])).ToArray();
        var messages = NetlinkMessage.DecodeAll(datagram);
        Assert.Equal(2, messages.Count);
        Assert.Equal([1, 2, 3, 4, 5], messages[0].Payload);
        Assert.Equal(NetlinkMessage.Done, messages[1].Type);
    }

    [Fact]
    public void Link_message_gives_name_master_and_kind()
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), 5);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), NetworkLink.IffUp);
        var payload = header
            .Concat(NetlinkAttributes.Encode(3, "veth1\0"u8))
            .Concat(NetlinkAttributes.Encode(10, BitConverter.GetBytes(3)))
            .Concat(NetlinkAttributes.Encode(18 | 0x8000, NetlinkAttributes.Encode(1, "veth\0"u8)))
            .ToArray();
        var link = RtnetlinkCodec.DecodeLink(payload);
        Assert.Equal((5, "veth1", 3, "veth", true), (link.Index, link.Name, link.MasterIndex!.Value, link.Kind, link.IsUp));
    }

    [Fact]
    public void Address_message_prefers_the_local_address()
    {
        var payload = new byte[] { 2, 24, 0, 0, 4, 0, 0, 0 }
            .Concat(NetlinkAttributes.Encode(1, [10, 0, 0, 9]))
            .Concat(NetlinkAttributes.Encode(2, [10, 0, 0, 1]))
            .ToArray();
        var address = RtnetlinkCodec.DecodeAddress(payload);
        Assert.Equal((4, IPAddress.Parse("10.0.0.1"), 24), (address.InterfaceIndex, address.Address, address.PrefixLength));
    }

    [Fact]
    public void Route_message_reads_destination_gateway_device_and_table()
    {
        // rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags.
        var payload = new byte[] { 2, 16, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0 }
            .Concat(NetlinkAttributes.Encode(1, [172, 30, 0, 0]))
            .Concat(NetlinkAttributes.Encode(5, [198, 51, 100, 1]))
            .Concat(NetlinkAttributes.Encode(4, BitConverter.GetBytes(7)))
            .Concat(NetlinkAttributes.Encode(6, BitConverter.GetBytes(100)))
            .ToArray();
        var route = RtnetlinkCodec.DecodeRoute(payload);
        Assert.Equal(RouteTables.Main, route.Table);
        Assert.Equal(RouteType.Unicast, route.Type);
        Assert.Equal((IPAddress.Parse("172.30.0.0"), 16, IPAddress.Parse("198.51.100.1"), 7, 100u),
            (route.Destination, route.PrefixLength, route.Gateway, route.OutputInterface!.Value, route.Metric));
    }

    [Fact]
    public void Bridge_forwarding_entry_names_port_and_bridge()
    {
        var header = new byte[12];
        header[0] = RtnetlinkCodec.AfBridge;
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), 6);
        var payload = header.Concat(NetlinkAttributes.Encode(2, [2, 0, 0, 0, 2, 2])).Concat(NetlinkAttributes.Encode(9, BitConverter.GetBytes(3))).ToArray();
        var entry = RtnetlinkCodec.DecodeNeighbor(payload);
        Assert.Equal((6, 3), (entry.InterfaceIndex, entry.MasterIndex!.Value));
        Assert.Equal([2, 0, 0, 0, 2, 2], entry.HardwareAddress);
    }

    [Fact]
    public void Truncated_attribute_is_a_format_error()
    {
        Assert.Throws<FormatException>(() => NetlinkAttributes.Parse([40, 0, 1, 0, 1, 2]));
    }
}
