using System.Net;

namespace Skiff.Network;

/// <summary>A bridge network as the rules and the kernel need it: its bridge device, subnet and policy.</summary>
public sealed record BridgeNetwork(string Name, string BridgeName, Ipv4Prefix Subnet, IPAddress Gateway, bool Internal, bool InterContainer, int? Mtu);
