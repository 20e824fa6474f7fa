using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Skiff.Linux.Netlink;

/// <summary>
/// An AF_NETLINK/NETLINK_ROUTE socket in the calling thread's network namespace, answering dumps
/// of links, addresses, routes and neighbours.
/// </summary>
public sealed class RouteNetlink : IDisposable
{
    private const int AfNetlink = 16, SockRaw = 3, SockCloexec = 0x80000, NetlinkRoute = 0;
    private readonly int _fd;
    private uint _sequence;

    public RouteNetlink() =>
        _fd = SyscallException.Check(Libc.socket(AfNetlink, SockRaw | SockCloexec, NetlinkRoute), "socket(AF_NETLINK, NETLINK_ROUTE)");

    public IReadOnlyList<NetworkLink> Links() =>
        Dump(RtnetlinkCodec.RtmGetLink, RtnetlinkCodec.AfUnspec, RtnetlinkCodec.RtmNewLink, RtnetlinkCodec.DecodeLink);

    public IReadOnlyList<InterfaceAddress> Addresses(byte family = RtnetlinkCodec.AfInet) =>
        Dump(RtnetlinkCodec.RtmGetAddr, family, RtnetlinkCodec.RtmNewAddr, RtnetlinkCodec.DecodeAddress);

    /// <summary>Routes of every table (main, local, and any policy-routing table).</summary>
    public IReadOnlyList<Route> Routes(byte family = RtnetlinkCodec.AfInet) =>
        Dump(RtnetlinkCodec.RtmGetRoute, family, RtnetlinkCodec.RtmNewRoute, RtnetlinkCodec.DecodeRoute);

    /// <summary>AF_INET for the ARP table, AF_BRIDGE for the bridges' forwarding database.</summary>
    public IReadOnlyList<Neighbor> Neighbors(byte family) =>
        Dump(RtnetlinkCodec.RtmGetNeigh, family, RtnetlinkCodec.RtmNewNeigh, RtnetlinkCodec.DecodeNeighbor);

    private unsafe List<T> Dump<T>(ushort requestType, byte family, ushort answerType, DecodePayload<T> decode)
    {
        var sequence = ++_sequence;
        var request = RtnetlinkCodec.DumpRequest(requestType, family, sequence);
        fixed (byte* p = request)
            SyscallException.Check((long)Libc.send(_fd, p, request.Length, 0), $"netlink send (type {requestType})");
        var results = new List<T>();
        var buffer = new byte[1 << 16];
        while (true)
        {
            nint received;
            fixed (byte* p = buffer) received = Libc.recv(_fd, p, buffer.Length, 0);
            if (received < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR) continue;
                throw new SyscallException($"netlink recv (type {requestType})", errno);
            }
            foreach (var message in NetlinkMessage.DecodeAll(buffer.AsSpan(0, (int)received)))
            {
                if (message.Sequence != sequence) continue;
                if (message.Type == NetlinkMessage.Done) return results;
                if (message.Type == NetlinkMessage.Error)
                {
                    var error = -BinaryPrimitives.ReadInt32LittleEndian(message.Payload);
                    if (error == 0) return results;
                    throw new SyscallException($"netlink dump (type {requestType}, family {family})", error);
                }
                if (message.Type == answerType) results.Add(decode(message.Payload));
            }
        }
    }

    private delegate T DecodePayload<out T>(ReadOnlySpan<byte> payload);

    public void Dispose() => Libc.close(_fd);
}
