using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Skiff.Linux.Netlink;

/// <summary>
/// An AF_NETLINK/NETLINK_ROUTE socket in the calling thread's network namespace, answering dumps
/// of links, addresses, routes and neighbours, and acknowledging changes to them.
/// </summary>
public sealed class RouteNetlink : IDisposable
{
    private const int AfNetlink = 16, SockRaw = 3, SockCloexec = 0x80000, NetlinkRoute = 0;
    private readonly int _fd;
    private uint _sequence;

    public RouteNetlink() =>
        _fd = SyscallException.Check(Libc.socket(AfNetlink, SockRaw | SockCloexec, NetlinkRoute), "socket(AF_NETLINK, NETLINK_ROUTE)");

    /// <summary>
    /// A socket in another network namespace (such as /proc/PID/ns/net of a container's init). A
    /// socket keeps the namespace it was created in, so a short-lived thread joins the namespace,
    /// creates it and exits: the namespace belongs to that OS thread only, never to the caller's.
    /// </summary>
    public static RouteNetlink InNamespace(string netnsPath)
    {
        RouteNetlink? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Namespaces.Join(netnsPath, NamespaceKind.Network);
                socket = new RouteNetlink();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { Name = "netns-socket" };
        thread.Start();
        thread.Join();
        return socket ?? throw failure!;
    }

    /// <summary>The index of the link with this name, or null when there is none.</summary>
    public int? LinkIndex(string name) => Links().FirstOrDefault(l => l.Name == name)?.Index;

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

    private List<T> Dump<T>(ushort requestType, byte family, ushort answerType, DecodePayload<T> decode)
    {
        var sequence = ++_sequence;
        var results = new List<T>();
        Exchange(RtnetlinkCodec.DumpRequest(requestType, family, sequence), sequence,
            $"netlink dump (type {requestType}, family {family})",
            message => { if (message.Type == answerType) results.Add(decode(message.Payload)); });
        return results;
    }

    /// <summary>
    /// Sends one change built by <see cref="RtnetlinkRequests"/> (its sequence from <see cref="NextSequence"/>)
    /// and waits for the kernel's acknowledgement; a refusal throws with the kernel's errno.
    /// </summary>
    public void Execute(byte[] request, string operation) =>
        Exchange(request, BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(8)), operation, _ => { });

    public uint NextSequence() => ++_sequence;

    // Reads answers to one request until its NLMSG_DONE or NLMSG_ERROR (error 0 is the acknowledgement).
    private unsafe void Exchange(byte[] request, uint sequence, string operation, Action<NetlinkMessage> onMessage)
    {
        fixed (byte* p = request)
            SyscallException.Check((long)Libc.send(_fd, p, request.Length, 0), $"{operation}: netlink send");
        var buffer = new byte[1 << 16];
        while (true)
        {
            nint received;
            fixed (byte* p = buffer) received = Libc.recv(_fd, p, buffer.Length, 0);
            if (received < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR) continue;
                throw new SyscallException($"{operation}: netlink recv", errno);
            }
            foreach (var message in NetlinkMessage.DecodeAll(buffer.AsSpan(0, (int)received)))
            {
                if (message.Sequence != sequence) continue;
                if (message.Type == NetlinkMessage.Done) return;
                if (message.Type == NetlinkMessage.Error)
                {
                    var error = -BinaryPrimitives.ReadInt32LittleEndian(message.Payload);
                    if (error == 0) return;
                    throw new SyscallException(operation, error);
                }
                onMessage(message);
            }
        }
    }

    private delegate T DecodePayload<out T>(ReadOnlySpan<byte> payload);

    public void Dispose() => Libc.close(_fd);
}
