using System.Net;
using Skiff.Network.Netfilter;

namespace Skiff.Network.Ipam;

/// <summary>
/// Picks addresses in a subnet: never the network or broadcast address, never the gateway, never
/// one already taken. The caller holds the taken set under a write lock (a BEGIN IMMEDIATE
/// transaction), which is what makes an address go to one container only.
/// </summary>
public static class AddressPool
{
    public static IPAddress Next(Ipv4Prefix subnet, IPAddress gateway, IReadOnlySet<uint> taken)
    {
        if (subnet.Length > 30) throw new ArgumentException($"subnet {subnet} is too small: it needs at least a /30");
        var gatewayValue = Ipv4Prefix.ToUInt32(gateway);
        var broadcast = subnet.Network | ~subnet.Mask;
        for (var candidate = subnet.Network + 1; candidate < broadcast; candidate++)
            if (candidate != gatewayValue && !taken.Contains(candidate)) return Ipv4Prefix.ToAddress(candidate);
        throw new InvalidOperationException($"no free address left in subnet {subnet}: every address but the network, broadcast and gateway ({gateway}) is in use");
    }

    /// <summary>Docker's default gateway: the first address after the network address.</summary>
    public static IPAddress DefaultGateway(Ipv4Prefix subnet) =>
        subnet.Length > 30 ? throw new ArgumentException($"subnet {subnet} is too small: it needs at least a /30")
            : Ipv4Prefix.ToAddress(subnet.Network + 1);

    public static bool Overlap(Ipv4Prefix a, Ipv4Prefix b) =>
        a.Contains(Ipv4Prefix.ToAddress(b.Network)) || b.Contains(Ipv4Prefix.ToAddress(a.Network));

    /// <summary>An address that can go to a container: inside the subnet, not its network or broadcast address.</summary>
    public static bool IsHost(Ipv4Prefix subnet, IPAddress address)
    {
        var value = Ipv4Prefix.ToUInt32(address);
        return subnet.Contains(address) && value != subnet.Network && value != (subnet.Network | ~subnet.Mask);
    }
}
