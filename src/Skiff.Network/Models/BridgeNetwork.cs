using System.Net;

namespace Skiff.Network;

/// <summary>
/// A bridge network as the rules and the kernel need it: its bridge device, subnet and policy.
/// <see cref="Cluster"/> is set on the network whose subnet a cluster leased to this node: the
/// cluster's prefixes, reached by routes without NAT.
/// </summary>
public sealed record BridgeNetwork(string Name, string BridgeName, Ipv4Prefix Subnet, IPAddress Gateway, bool Internal, bool InterContainer, int? Mtu)
{
    public IReadOnlyList<Ipv4Prefix>? Cluster { get; init; }
}
