using Skiff.Linux;

namespace Skiff.Network.Netfilter;

/// <summary>IP protocol numbers by the names iptables accepts.</summary>
public static class Protocols
{
    public const int All = 0, Icmp = 1, Tcp = 6, Udp = 17;

    public static int Parse(string text) => text.ToLowerInvariant() switch
    {
        "all" => All,
        "icmp" => Icmp,
        "tcp" => Tcp,
        "udp" => Udp,
        var other when int.TryParse(other, out var n) && n is >= 0 and <= 255 => n,
        var other => throw new InvalidInputException($"unknown protocol {other}"),
    };

    public static string Name(int protocol) => protocol switch
    {
        All => "all", Icmp => "icmp", Tcp => "tcp", Udp => "udp", _ => protocol.ToString(),
    };

    public static bool HasPorts(int protocol) => protocol is Tcp or Udp;
}
