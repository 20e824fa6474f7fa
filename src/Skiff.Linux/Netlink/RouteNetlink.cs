namespace Skiff.Linux.Netlink;

/// <summary>
/// An AF_NETLINK/NETLINK_ROUTE socket in the calling thread's network namespace, answering dumps
/// of links, addresses, routes and neighbours, and acknowledging changes to them.
/// </summary>
public sealed class RouteNetlink : IDisposable
{
    private readonly NetlinkSocket _socket = new(NetlinkSocket.Route);

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
        var results = new List<T>();
        _socket.Exchange(RtnetlinkCodec.DumpRequest(requestType, family, _socket.NextSequence()),
            $"netlink dump (type {requestType}, family {family})",
            message => { if (message.Type == answerType) results.Add(decode(message.Payload)); });
        return results;
    }

    /// <summary>
    /// Sends one change built by <see cref="RtnetlinkRequests"/> (its sequence from <see cref="NextSequence"/>)
    /// and waits for the kernel's acknowledgement; a refusal throws with the kernel's errno.
    /// </summary>
    public void Execute(byte[] request, string operation) => _socket.Exchange(request, operation, _ => { });

    public uint NextSequence() => _socket.NextSequence();

    private delegate T DecodePayload<out T>(ReadOnlySpan<byte> payload);

    public void Dispose() => _socket.Dispose();
}
