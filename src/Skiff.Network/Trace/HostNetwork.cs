using System.Net;
using System.Net.Sockets;
using Skiff.Linux.Netlink;
using Skiff.Network.HostState;
using Skiff.Network.Netfilter;

namespace Skiff.Network.Trace;

/// <summary>The routing decision for one destination, in the words of `ip route get`.</summary>
public sealed record RouteDecision(RouteType Type, string? OutInterface, IPAddress? Gateway, IPAddress? PreferredSource, string Description)
{
    public bool IsLocal => Type is RouteType.Local or RouteType.Broadcast;
}

/// <summary>
/// Lookups over a snapshot's links, addresses, routes and neighbours: the routing decision (local
/// table, then main, then default, as the kernel's default rules order them), address types for
/// addrtype, and which bridge port a neighbour sits behind.
/// </summary>
public sealed class HostNetwork(HostSnapshot host)
{
    private const uint DefaultTable = 253;
    private readonly Dictionary<int, NetworkLink> _linksByIndex = host.Links.ToDictionary(l => l.Index);

    public string? InterfaceName(int? index) => index is { } i && _linksByIndex.TryGetValue(i, out var link) ? link.Name : null;

    public NetworkLink? Link(string? name) => host.Links.FirstOrDefault(l => l.Name == name);

    public bool IsBridge(string? name) => Link(name)?.IsBridge == true;

    public RouteDecision? Lookup(IPAddress destination)
    {
        foreach (var table in new[] { RouteTables.Local, RouteTables.Main, DefaultTable })
        {
            var best = host.Routes
                .Where(r => r.Table == table && r.Destination?.AddressFamily is null or AddressFamily.InterNetwork && Covers(r, destination))
                .OrderByDescending(r => r.PrefixLength).ThenBy(r => r.Metric).FirstOrDefault();
            // The local table only decides for local and broadcast addresses; the rest falls through to main.
            if (best is null || (table == RouteTables.Local && best.Type is not (RouteType.Local or RouteType.Broadcast))) continue;
            return new RouteDecision(best.Type, InterfaceName(best.OutputInterface), best.Gateway, best.PreferredSource, Describe(best));
        }
        return null;
    }

    private static bool Covers(Route route, IPAddress address) =>
        route.Destination is null ? route.PrefixLength == 0
        : new Ipv4Prefix(Ipv4Prefix.ToUInt32(route.Destination), route.PrefixLength).Contains(address);

    private string Describe(Route r)
    {
        var destination = r.Destination is null ? "default" : r.PrefixLength == 32 ? $"{r.Destination}" : $"{r.Destination}/{r.PrefixLength}";
        var type = r.Type is RouteType.Unicast ? "" : $"{r.Type.ToString().ToLowerInvariant()} ";
        return $"{type}{destination}"
            + (r.Gateway is { } gw ? $" via {gw}" : "")
            + (InterfaceName(r.OutputInterface) is { } dev ? $" dev {dev}" : "")
            + (r.PreferredSource is { } src ? $" src {src}" : "")
            + (r.Table is RouteTables.Main ? "" : r.Table is RouteTables.Local ? " table local" : $" table {r.Table}");
    }

    public bool IsLocal(IPAddress address) => Lookup(address)?.Type == RouteType.Local;

    /// <summary>What addrtype sees: inet_dev_addr_type, restricted to routes through <paramref name="device"/> when given.</summary>
    public AddressTypes AddressType(IPAddress address, string? device)
    {
        var value = Ipv4Prefix.ToUInt32(address);
        if (value >> 24 == 0 || value == uint.MaxValue) return AddressTypes.Broadcast;
        if (value >> 28 == 0xE) return AddressTypes.Multicast;
        var route = Lookup(address);
        if (route is null || (device is not null && route.OutInterface != device)) return AddressTypes.Unicast;
        return route.Type switch
        {
            RouteType.Local => AddressTypes.Local,
            RouteType.Broadcast => AddressTypes.Broadcast,
            RouteType.Anycast => AddressTypes.Anycast,
            RouteType.Multicast => AddressTypes.Multicast,
            RouteType.Blackhole => AddressTypes.Blackhole,
            RouteType.Unreachable => AddressTypes.Unreachable,
            RouteType.Prohibit => AddressTypes.Prohibit,
            RouteType.Throw => AddressTypes.Throw,
            _ => AddressTypes.Unicast,
        };
    }

    /// <summary>The address the kernel picks on an interface: the first one in the same subnet as <paramref name="near"/>, else the first.</summary>
    public IPAddress? PrimaryAddress(string? interfaceName, IPAddress? near = null)
    {
        var index = Link(interfaceName)?.Index;
        var candidates = host.Addresses.Where(a => a.InterfaceIndex == index && a.Address.AddressFamily == AddressFamily.InterNetwork).ToList();
        return (near is null ? null : candidates.FirstOrDefault(a => new Ipv4Prefix(Ipv4Prefix.ToUInt32(a.Address), a.PrefixLength).Contains(near)))?.Address
            ?? candidates.FirstOrDefault()?.Address;
    }

    /// <summary>The source address a local process gets towards a destination: the route's src, else the out interface's address.</summary>
    public IPAddress? SourceFor(IPAddress destination, RouteDecision route) =>
        route.IsLocal ? destination : route.PreferredSource ?? PrimaryAddress(route.OutInterface, route.Gateway ?? destination);

    /// <summary>The bridge port behind which <paramref name="address"/> sits: its ARP entry on the bridge, then the forwarding database. Null when unknown.</summary>
    public string? BridgePortOf(IPAddress address, string bridge)
    {
        var bridgeIndex = Link(bridge)?.Index;
        var mac = host.Neighbors.FirstOrDefault(n => n.InterfaceIndex == bridgeIndex && address.Equals(n.Address) && n.HardwareAddress is not null)?.HardwareAddress;
        if (mac is null) return null;
        var entry = host.BridgeForwarding.FirstOrDefault(f => f.HardwareAddress is { } hw && hw.AsSpan().SequenceEqual(mac)
            && f.InterfaceIndex != bridgeIndex && (f.MasterIndex == bridgeIndex || _linksByIndex.GetValueOrDefault(f.InterfaceIndex)?.MasterIndex == bridgeIndex));
        return entry is null ? null : InterfaceName(entry.InterfaceIndex);
    }
}
