using Skiff.Linux;

namespace Skiff.Engine;

/// <summary>What a container's /etc/hosts and /etc/resolv.conf get beyond the defaults: --add-host, --dns, --dns-search, --dns-option.</summary>
public sealed record NameSettings
{
    /// <summary>--add-host NAME:host-gateway: the address of the host as the container sees it, its network's gateway.</summary>
    public const string HostGateway = "host-gateway";

    /// <summary>NAME:IP pairs, IP possibly "host-gateway".</summary>
    public IReadOnlyList<string> ExtraHosts { get; init; } = [];
    public IReadOnlyList<string> Servers { get; init; } = [];
    public IReadOnlyList<string> Search { get; init; } = [];
    public IReadOnlyList<string> Options { get; init; } = [];

    public bool Any() => ExtraHosts.Count + Servers.Count + Search.Count + Options.Count > 0;

    /// <summary>Docker's --add-host NAME:IP (or NAME=IP); the IP is an IPv4 or IPv6 address, or host-gateway.</summary>
    public static (string Name, string Address) ParseExtraHost(string text)
    {
        var separator = text.IndexOfAny(['=', ':']);
        var (name, address) = separator > 0 ? (text[..separator], text[(separator + 1)..]) : ("", "");
        if (name.Length == 0 || name.Any(char.IsWhiteSpace) || !(address == HostGateway || System.Net.IPAddress.TryParse(address.Trim('[', ']'), out _)))
            throw new InvalidInputException($"invalid --add-host \"{text}\": use NAME:IP, where IP is an address or host-gateway");
        return (name, address.Trim('[', ']'));
    }
}
