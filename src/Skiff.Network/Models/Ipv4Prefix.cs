using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Skiff.Linux;

namespace Skiff.Network;

/// <summary>An IPv4 network: "10.0.0.0/8", "1.2.3.4" (a /32) or the dotted-mask form "10.0.0.0/255.0.0.0".</summary>
public readonly record struct Ipv4Prefix(uint Network, int Length)
{
    public static readonly Ipv4Prefix Any = new(0, 0);

    public uint Mask => Length == 0 ? 0 : uint.MaxValue << (32 - Length);

    public bool Contains(IPAddress address) => (ToUInt32(address) & Mask) == (Network & Mask);

    public static Ipv4Prefix Parse(string text)
    {
        var slash = text.IndexOf('/');
        var address = ParseAddress(slash < 0 ? text : text[..slash]);
        if (slash < 0) return new Ipv4Prefix(address, 32);
        var suffix = text[(slash + 1)..];
        int length;
        if (int.TryParse(suffix, out var bits) && bits is >= 0 and <= 32) length = bits;
        else if (IPAddress.TryParse(suffix, out var dotted) && dotted.AddressFamily == AddressFamily.InterNetwork
                 && ToUInt32(dotted) is var mask && (~mask & (~mask + 1)) == 0)
            length = System.Numerics.BitOperations.PopCount(mask);
        else throw new InvalidInputException($"\"{text}\" is not an IPv4 network");
        var prefix = new Ipv4Prefix(address, length);
        return prefix with { Network = address & prefix.Mask };
    }

    public static uint ParseAddress(string text) =>
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork
            ? ToUInt32(ip) : throw new InvalidInputException($"\"{text}\" is not an IPv4 address");

    public static uint ToUInt32(IPAddress address) => BinaryPrimitives.ReadUInt32BigEndian(address.MapToIPv4().GetAddressBytes());

    public static IPAddress ToAddress(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    public override string ToString() => $"{ToAddress(Network)}/{Length}";
}
