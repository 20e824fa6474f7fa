using System.Net;
using Skiff.Linux;

namespace Skiff.Network.Ipam;

/// <summary>
/// Picks addresses in a subnet: never the network or broadcast address, never the gateway, never
/// one already taken. The caller holds the taken set under a write lock (a BEGIN IMMEDIATE
/// transaction), which is what makes an address go to one container only.
/// </summary>
public static class AddressPool
{
    /// <summary>The lowest free address; with <paramref name="range"/> (--ip-range), only inside that part of the subnet.</summary>
    public static IPAddress Next(Ipv4Prefix subnet, IPAddress gateway, IReadOnlySet<uint> taken, Ipv4Prefix? range = null)
    {
        if (subnet.Length > 30) throw new InvalidInputException($"subnet {subnet} is too small: it needs at least a /30");
        var gatewayValue = Ipv4Prefix.ToUInt32(gateway);
        var broadcast = subnet.Network | ~subnet.Mask;
        var (first, last) = range is { } r ? (Math.Max(r.Network, subnet.Network + 1), Math.Min(r.Network | ~r.Mask, broadcast - 1)) : (subnet.Network + 1, broadcast - 1);
        for (var candidate = (ulong)first; candidate <= last; candidate++)
            if (candidate != gatewayValue && !taken.Contains((uint)candidate)) return Ipv4Prefix.ToAddress((uint)candidate);
        throw new InvalidInputException(range is { } full
            ? $"no free address left in ip-range {full} of subnet {subnet}: every address of the range but the gateway ({gateway}) is in use"
            : $"no free address left in subnet {subnet}: every address but the network, broadcast and gateway ({gateway}) is in use");
    }

    /// <summary>Why a container cannot have <paramref name="address"/> on the network, or null when it can.</summary>
    public static string? Refusal(Ipv4Prefix subnet, IPAddress gateway, IPAddress address) =>
        !subnet.Contains(address) ? $"address {address} is outside subnet {subnet}"
        : !IsHost(subnet, address) ? $"address {address} is the network or broadcast address of subnet {subnet}"
        : address.Equals(gateway) ? $"address {address} is the gateway of subnet {subnet}"
        : null;

    /// <summary>Docker's default gateway: the first address after the network address.</summary>
    public static IPAddress DefaultGateway(Ipv4Prefix subnet) =>
        subnet.Length > 30 ? throw new InvalidInputException($"subnet {subnet} is too small: it needs at least a /30")
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
