using Skiff.Linux.Netlink;

namespace Skiff.Network.Cluster;

/// <summary><see cref="IRouteTable"/> over rtnetlink in the caller's network namespace.</summary>
public sealed class KernelRouteTable : IRouteTable, IDisposable
{
    private readonly RouteNetlink _netlink = new();

    public IReadOnlyList<PeerRoute> Owned() =>
        _netlink.Routes().Where(r => r.Table == RouteTables.Main && r.Protocol == IRouteTable.SkiffProtocol && r.Destination is not null && r.Gateway is not null)
            .Select(r => new PeerRoute(new Ipv4Prefix(Ipv4Prefix.ToUInt32(r.Destination!), r.PrefixLength), r.Gateway!)).ToList();

    public void Add(PeerRoute route) =>
        _netlink.Execute(RtnetlinkRequests.NewRoute(_netlink.NextSequence(), Ipv4Prefix.ToAddress(route.Subnet.Network), route.Subnet.Length,
            route.Gateway, outputInterface: null, IRouteTable.SkiffProtocol), $"add the route {route}");

    public void Remove(PeerRoute route) =>
        _netlink.Execute(RtnetlinkRequests.DeleteRoute(_netlink.NextSequence(), Ipv4Prefix.ToAddress(route.Subnet.Network), route.Subnet.Length,
            IRouteTable.SkiffProtocol), $"remove the route {route}");

    public void Dispose() => _netlink.Dispose();
}
