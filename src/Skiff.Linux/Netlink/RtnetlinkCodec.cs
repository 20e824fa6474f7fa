using System.Buffers.Binary;

namespace Skiff.Linux.Netlink;

/// <summary>
/// Builds rtnetlink dump requests and turns the kernel's answers into records. Pure byte work, so
/// it is tested on byte arrays; <see cref="RouteNetlink"/> moves the bytes. Link, address and route
/// creation (RTM_NEWLINK and friends) belong beside these as more Encode methods.
/// </summary>
public static class RtnetlinkCodec
{
    public const ushort RtmNewLink = 16, RtmGetLink = 18, RtmNewAddr = 20, RtmGetAddr = 22,
        RtmNewRoute = 24, RtmGetRoute = 26, RtmNewNeigh = 28, RtmGetNeigh = 30;
    public const byte AfUnspec = 0, AfInet = 2, AfBridge = 7;

    private const ushort IflaAddress = 1, IflaIfname = 3, IflaMaster = 10, IflaLinkinfo = 18, IflaInfoKind = 1;
    private const ushort IfaAddress = 1, IfaLocal = 2, IfaBroadcast = 4;
    private const ushort RtaDst = 1, RtaOif = 4, RtaGateway = 5, RtaPriority = 6, RtaPrefsrc = 7, RtaTable = 15;
    private const ushort NdaDst = 1, NdaLladdr = 2, NdaMaster = 9;
    private const int IfInfoLength = 16, IfAddrLength = 8, RtMsgLength = 12, NdMsgLength = 12;

    /// <summary>A dump request: the fixed header of the message type with only the family set.</summary>
    public static byte[] DumpRequest(ushort type, byte family, uint sequence)
    {
        var header = new byte[type switch
        {
            RtmGetLink => IfInfoLength,
            RtmGetAddr => IfAddrLength,
            RtmGetRoute => RtMsgLength,
            RtmGetNeigh => NdMsgLength,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an rtnetlink dump type"),
        }];
        header[0] = family;
        return NetlinkMessage.Encode(type, NetlinkMessage.FlagRequest | NetlinkMessage.FlagDump, sequence, header);
    }

    public static NetworkLink DecodeLink(ReadOnlySpan<byte> payload)
    {
        var index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        var attributes = NetlinkAttributes.Parse(payload[IfInfoLength..]);
        return new NetworkLink(index, attributes.String(IflaIfname) ?? $"if{index}", flags,
            (int?)attributes.UInt32(IflaMaster), attributes.Nested(IflaLinkinfo)?.String(IflaInfoKind),
            attributes.Bytes(IflaAddress));
    }

    public static InterfaceAddress DecodeAddress(ReadOnlySpan<byte> payload)
    {
        var attributes = NetlinkAttributes.Parse(payload[IfAddrLength..]);
        var address = attributes.Address(IfaLocal) ?? attributes.Address(IfaAddress)
            ?? throw new FormatException("RTM_NEWADDR without an address");
        return new InterfaceAddress((int)BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]), address,
            payload[1], payload[3], attributes.Address(IfaBroadcast));
    }

    public static Route DecodeRoute(ReadOnlySpan<byte> payload)
    {
        var attributes = NetlinkAttributes.Parse(payload[RtMsgLength..]);
        // rtm_table is one byte; tables above 255 only fit in RTA_TABLE.
        return new Route(attributes.UInt32(RtaTable) ?? payload[4], (RouteType)payload[7], attributes.Address(RtaDst),
            payload[1], attributes.Address(RtaGateway), (int?)attributes.UInt32(RtaOif), attributes.Address(RtaPrefsrc),
            attributes.UInt32(RtaPriority) ?? 0, payload[6]) { Protocol = payload[5] };
    }

    public static Neighbor DecodeNeighbor(ReadOnlySpan<byte> payload)
    {
        var attributes = NetlinkAttributes.Parse(payload[NdMsgLength..]);
        return new Neighbor(payload[0], BinaryPrimitives.ReadInt32LittleEndian(payload[4..]), attributes.Address(NdaDst),
            attributes.Bytes(NdaLladdr), BinaryPrimitives.ReadUInt16LittleEndian(payload[8..]), (int?)attributes.UInt32(NdaMaster));
    }
}
