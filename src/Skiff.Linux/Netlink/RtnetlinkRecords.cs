using System.Net;

namespace Skiff.Linux.Netlink;

/// <summary>A network interface as RTM_NEWLINK describes it. MasterIndex is the bridge a port is enslaved to.</summary>
public sealed record NetworkLink(int Index, string Name, uint Flags, int? MasterIndex, string? Kind, byte[]? HardwareAddress)
{
    public const uint IffUp = 0x1, IffLoopback = 0x8;
    public bool IsUp => (Flags & IffUp) != 0;
    public bool IsBridge => Kind == "bridge";
}

/// <summary>An address on an interface (RTM_NEWADDR): IFA_LOCAL when present, else IFA_ADDRESS.</summary>
public sealed record InterfaceAddress(int InterfaceIndex, IPAddress Address, int PrefixLength, byte Scope, IPAddress? Broadcast);

/// <summary>A route (RTM_NEWROUTE) from any table; Destination is null for the default route.</summary>
public sealed record Route(
    uint Table, RouteType Type, IPAddress? Destination, int PrefixLength, IPAddress? Gateway,
    int? OutputInterface, IPAddress? PreferredSource, uint Metric, byte Scope)
{
    /// <summary>rtm_protocol: who made the route (kernel, boot, static, or a routing daemon's own number).</summary>
    public byte Protocol { get; init; }
}

/// <summary>rtm_type: what the kernel does with a packet that matches the route.</summary>
public enum RouteType : byte
{
    Unspecified = 0, Unicast = 1, Local = 2, Broadcast = 3, Anycast = 4, Multicast = 5,
    Blackhole = 6, Unreachable = 7, Prohibit = 8, Throw = 9, Nat = 10,
}

/// <summary>
/// A neighbour entry (RTM_NEWNEIGH). For AF_INET it maps an address to a hardware address on an
/// interface; for AF_BRIDGE (the forwarding database) it maps a hardware address to a bridge port,
/// with MasterIndex the bridge.
/// </summary>
public sealed record Neighbor(byte Family, int InterfaceIndex, IPAddress? Address, byte[]? HardwareAddress, ushort State, int? MasterIndex);

public static class RouteTables
{
    public const uint Main = 254, Local = 255;
}
