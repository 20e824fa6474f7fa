using Skiff.Linux.Netlink;
using Skiff.Network.Netfilter;

namespace Skiff.Network.HostState;

/// <summary>
/// Everything the tracer reads about a host, taken at one moment: it is a plain value so the
/// tracer is tested on hand-made hosts, and <see cref="LiveHostState"/> fills it from the kernel.
/// </summary>
public sealed record HostSnapshot
{
    public required Ruleset Ruleset { get; init; }
    public string Backend { get; init; } = "nft";
    public IReadOnlyList<NetworkLink> Links { get; init; } = [];
    public IReadOnlyList<InterfaceAddress> Addresses { get; init; } = [];
    public IReadOnlyList<Route> Routes { get; init; } = [];
    /// <summary>The ARP table: which hardware address an IPv4 neighbour has.</summary>
    public IReadOnlyList<Neighbor> Neighbors { get; init; } = [];
    /// <summary>The bridges' forwarding database: behind which port a hardware address is.</summary>
    public IReadOnlyList<Neighbor> BridgeForwarding { get; init; } = [];
    public IReadOnlyList<ConntrackEntry> Conntrack { get; init; } = [];
    public bool IpForwarding { get; init; } = true;
    /// <summary>net.bridge.bridge-nf-call-iptables: whether bridged IPv4 goes through iptables at all.</summary>
    public bool BridgeNetfilter { get; init; }
    /// <summary>What the reader noticed and could not take into account (policy routing, a second backend).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
