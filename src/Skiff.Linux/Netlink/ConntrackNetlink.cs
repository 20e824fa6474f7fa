using System.Buffers.Binary;
using System.Net;

namespace Skiff.Linux.Netlink;

/// <summary>
/// One connection the kernel tracks, as ctnetlink reports it: the original direction (as the first
/// packet left its sender) and the reply direction (after NAT). Ports are 0 for protocols without
/// them. <see cref="OriginalTuple"/> is the attribute as the kernel sent it, to name the entry back.
/// </summary>
public sealed record ConntrackFlow(byte Protocol, IPAddress OriginalSource, IPAddress OriginalDestination, int OriginalDestinationPort,
    IPAddress ReplySource, IPAddress ReplyDestination, byte[] OriginalTuple, byte[]? Zone);

/// <summary>
/// ctnetlink's messages (NETLINK_NETFILTER, subsystem NFNL_SUBSYS_CTNETLINK) for the IPv4 table:
/// a dump of every tracked connection, and the deletion of one. Pure byte work, tested on bytes.
/// </summary>
public static class ConntrackCodec
{
    private const ushort Subsystem = 1 << 8, MessageNew = 0, MessageGet = 1, MessageDelete = 2;
    private const ushort TupleOriginal = 1, TupleReply = 2, Zone = 18;
    private const ushort TupleIp = 1, TupleProtocol = 2, Ipv4Source = 1, Ipv4Destination = 2;
    private const ushort ProtocolNumber = 1, DestinationPort = 3;
    private const ushort Nested = 0x8000, FlagAck = 0x4;
    private const byte AfInet = 2;

    public const ushort NewFlow = Subsystem | MessageNew;

    public static byte[] DumpRequest(uint sequence) =>
        NetlinkMessage.Encode(Subsystem | MessageGet, NetlinkMessage.FlagRequest | NetlinkMessage.FlagDump, sequence, Header());

    public static byte[] DeleteRequest(uint sequence, ConntrackFlow flow) =>
        NetlinkMessage.Encode(Subsystem | MessageDelete, NetlinkMessage.FlagRequest | FlagAck, sequence,
            [.. Header(), .. NetlinkAttributes.Encode(TupleOriginal | Nested, flow.OriginalTuple),
             .. flow.Zone is { } zone ? NetlinkAttributes.Encode(Zone, zone) : []]);

    /// <summary>An IPCTNL_MSG_CT_NEW answer of a dump; null for a flow that is not IPv4.</summary>
    public static ConntrackFlow? Decode(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 4 || payload[0] != AfInet) return null;
        var attributes = NetlinkAttributes.Parse(payload[4..]);
        var original = attributes.Nested(TupleOriginal);
        var reply = attributes.Nested(TupleReply);
        if (original?.Nested(TupleIp) is not { } originalIp || reply?.Nested(TupleIp) is not { } replyIp) return null;
        var protocol = original.Nested(TupleProtocol);
        var port = protocol?.Bytes(DestinationPort) is { Length: 2 } p ? BinaryPrimitives.ReadUInt16BigEndian(p) : 0;
        return new ConntrackFlow(protocol?.Bytes(ProtocolNumber)?[0] ?? 0,
            originalIp.Address(Ipv4Source)!, originalIp.Address(Ipv4Destination)!, port,
            replyIp.Address(Ipv4Source)!, replyIp.Address(Ipv4Destination)!,
            attributes.Bytes(TupleOriginal)!, attributes.Bytes(Zone));
    }

    // nfgenmsg: family, version (NFNETLINK_V0), resource id.
    private static byte[] Header() => [AfInet, 0, 0, 0];
}

/// <summary>The conntrack table of the calling thread's network namespace, through ctnetlink.</summary>
public sealed class ConntrackNetlink : IDisposable
{
    private const int ENOENT = 2;
    private readonly NetlinkSocket _socket = new(NetlinkSocket.Netfilter);

    public IReadOnlyList<ConntrackFlow> Flows()
    {
        var flows = new List<ConntrackFlow>();
        _socket.Exchange(ConntrackCodec.DumpRequest(_socket.NextSequence()), "dump the conntrack table",
            message => { if (message.Type == ConntrackCodec.NewFlow && ConntrackCodec.Decode(message.Payload) is { } flow) flows.Add(flow); });
        return flows;
    }

    /// <summary>Forgets one connection; one that ended meanwhile is no error.</summary>
    public void Delete(ConntrackFlow flow)
    {
        try
        {
            _socket.Exchange(ConntrackCodec.DeleteRequest(_socket.NextSequence(), flow), $"delete the conntrack entry {flow.OriginalSource} -> {flow.OriginalDestination}", _ => { });
        }
        catch (SyscallException e) when (e.Errno == ENOENT)
        {
        }
    }

    public void Dispose() => _socket.Dispose();
}
