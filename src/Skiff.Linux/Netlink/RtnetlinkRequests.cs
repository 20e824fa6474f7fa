using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Skiff.Linux.Netlink;

/// <summary>
/// Builds the rtnetlink requests that change the kernel's links, addresses and routes. Every
/// request asks for an acknowledgement (NLM_F_ACK), so a failure comes back as an errno rather
/// than silence; <see cref="RouteNetlink.Execute"/> sends them. Pure byte work, tested on bytes.
/// </summary>
public static class RtnetlinkRequests
{
    public const ushort RtmDelLink = 17, RtmSetLink = 19;
    public const ushort FlagAck = 0x4, FlagExclusive = 0x200, FlagCreate = 0x400;
    private const ushort CreateFlags = NetlinkMessage.FlagRequest | FlagAck | FlagCreate | FlagExclusive;
    private const ushort ChangeFlags = NetlinkMessage.FlagRequest | FlagAck;

    private const ushort IflaAddress = 1, IflaIfname = 3, IflaMtu = 4, IflaMaster = 10, IflaProtinfo = 12, IflaLinkinfo = 18, IflaNetNsFd = 28;
    private const ushort IflaBrportMode = 4;
    private const ushort IflaInfoKind = 1, IflaInfoData = 2, VethInfoPeer = 1;
    private const ushort IfaAddress = 1, IfaLocal = 2, IfaBroadcast = 4;
    private const ushort RtaDst = 1, RtaOif = 4, RtaGateway = 5;
    private const ushort Nested = 0x8000;
    private const byte RtProtStatic = 4, RtScopeUniverse = 0, RtnUnicast = 1;

    /// <summary>A new bridge, down; <see cref="SetLink"/> brings it up once it has its address.</summary>
    public static byte[] NewBridge(uint sequence, string name, int? mtu = null) =>
        NetlinkMessage.Encode(RtnetlinkCodec.RtmNewLink, CreateFlags, sequence,
            [.. LinkHeader(0), .. Name(name), .. Mtu(mtu), .. Attribute(IflaLinkinfo | Nested, Attribute(IflaInfoKind, Text("bridge")))]);

    /// <summary>
    /// A veth pair whose peer is created straight inside another network namespace (an open
    /// /proc/PID/ns/net descriptor) under its final name, so it never appears on the host; optionally with a chosen MAC address.
    /// </summary>
    public static byte[] NewVeth(uint sequence, string name, string peerName, int peerNamespaceFd, int? mtu = null, byte[]? peerMacAddress = null)
    {
        byte[] peer = [.. LinkHeader(0), .. Name(peerName), .. Mtu(mtu), .. Attribute(IflaNetNsFd, Int32(peerNamespaceFd)),
                       .. peerMacAddress is null ? [] : Attribute(IflaAddress, peerMacAddress)];
        byte[] linkInfo = [.. Attribute(IflaInfoKind, Text("veth")), .. Attribute(IflaInfoData | Nested, Attribute(VethInfoPeer | Nested, peer))];
        return NetlinkMessage.Encode(RtnetlinkCodec.RtmNewLink, CreateFlags, sequence,
            [.. LinkHeader(0), .. Name(name), .. Mtu(mtu), .. Attribute(IflaLinkinfo | Nested, linkInfo)]);
    }

    /// <summary>Changes an existing link found by name: up or down, and optionally enslaves it to a bridge.</summary>
    public static byte[] SetLink(uint sequence, string name, bool up, int? masterIndex = null) =>
        NetlinkMessage.Encode(RtnetlinkCodec.RtmNewLink, ChangeFlags, sequence,
            [.. LinkHeader(0, up ? NetworkLink.IffUp : 0, NetworkLink.IffUp), .. Name(name),
             .. masterIndex is { } m ? Attribute(IflaMaster, Int32(m)) : []]);

    /// <summary>
    /// Hairpin mode on a bridge port (`bridge link set dev D hairpin on`): the bridge may send a frame
    /// back out of the port it came in by, which is the way back for a container reaching itself
    /// through a published port once bridge netfilter has DNATed the frame at layer 2.
    /// </summary>
    public static byte[] SetHairpin(uint sequence, int portIndex)
    {
        var header = LinkHeader(portIndex);
        header[0] = RtnetlinkCodec.AfBridge;
        return NetlinkMessage.Encode(RtmSetLink, ChangeFlags, sequence, [.. header, .. Attribute(IflaProtinfo | Nested, Attribute(IflaBrportMode, [1]))]);
    }

    public static byte[] DeleteLink(uint sequence, string name) =>
        NetlinkMessage.Encode(RtmDelLink, ChangeFlags, sequence, [.. LinkHeader(0), .. Name(name)]);

    /// <summary>An IPv4 address with its prefix and broadcast on an interface, as `ip addr add A/N brd + dev D` does.</summary>
    public static byte[] NewAddress(uint sequence, int interfaceIndex, IPAddress address, int prefixLength)
    {
        var header = new byte[8];
        header[0] = RtnetlinkCodec.AfInet;
        header[1] = (byte)prefixLength;
        header[3] = RtScopeUniverse;
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), interfaceIndex);
        var bytes = address.GetAddressBytes();
        var hostBits = prefixLength >= 32 ? 0u : uint.MaxValue >> prefixLength;
        var broadcast = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(broadcast, BinaryPrimitives.ReadUInt32BigEndian(bytes) | hostBits);
        return NetlinkMessage.Encode(RtnetlinkCodec.RtmNewAddr, CreateFlags, sequence,
            [.. header, .. Attribute(IfaLocal, bytes), .. Attribute(IfaAddress, bytes), .. Attribute(IfaBroadcast, broadcast)]);
    }

    /// <summary>A unicast route in the main table; a null destination is the default route.</summary>
    public static byte[] NewRoute(uint sequence, IPAddress? destination, int prefixLength, IPAddress gateway, int outputInterface)
    {
        var header = new byte[12];
        header[0] = RtnetlinkCodec.AfInet;
        header[1] = (byte)(destination is null ? 0 : prefixLength);
        header[4] = (byte)RouteTables.Main;
        header[5] = RtProtStatic;
        header[6] = RtScopeUniverse;
        header[7] = RtnUnicast;
        return NetlinkMessage.Encode(RtnetlinkCodec.RtmNewRoute, CreateFlags, sequence,
            [.. header, .. destination is null ? [] : Attribute(RtaDst, destination.GetAddressBytes()),
             .. Attribute(RtaGateway, gateway.GetAddressBytes()), .. Attribute(RtaOif, Int32(outputInterface))]);
    }

    // ifinfomsg: family, pad, type, index, flags, change mask.
    private static byte[] LinkHeader(int index, uint flags = 0, uint change = 0)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), index);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), change);
        return header;
    }

    private static byte[] Name(string name) =>
        name.Length is > 0 and <= 15 ? Attribute(IflaIfname, Text(name))
            : throw new InvalidInputException($"interface name \"{name}\" must have 1 to 15 characters");

    private static byte[] Mtu(int? mtu) => mtu is { } m ? Attribute(IflaMtu, Int32(m)) : [];

    private static byte[] Attribute(ushort type, ReadOnlySpan<byte> value) => NetlinkAttributes.Encode(type, value);

    private static byte[] Text(string value) => Encoding.ASCII.GetBytes(value + "\0");

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }
}
