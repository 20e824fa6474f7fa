using System.Globalization;
using System.Net;
using Skiff.Linux;

namespace Skiff.Network;

/// <summary>Docker's <c>-p [ip:]host:container[/tcp|udp]</c>: a host port forwarded to a container port.</summary>
public sealed record PortBinding(string HostIp, int HostPort, int ContainerPort, string Protocol)
{
    public static PortBinding Parse(string text)
    {
        var (spec, protocol) = text.LastIndexOf('/') is var slash and >= 0 ? (text[..slash], text[(slash + 1)..]) : (text, "tcp");
        if (protocol is not ("tcp" or "udp"))
            throw new InvalidInputException($"invalid publish \"{text}\": the protocol must be tcp or udp");
        var parts = spec.Split(':');
        var (ip, host, container) = parts.Length switch
        {
            2 => ("0.0.0.0", parts[0], parts[1]),
            3 => (parts[0], parts[1], parts[2]),
            _ => throw new InvalidInputException($"invalid publish \"{text}\": use [ip:]hostPort:containerPort[/tcp|udp]"),
        };
        if (!IPAddress.TryParse(ip, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new InvalidInputException($"invalid publish \"{text}\": \"{ip}\" is not an IPv4 address");
        return new PortBinding(address.ToString(), Port(host, text), Port(container, text), protocol);
    }

    private static int Port(string value, string text) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port : throw new InvalidInputException($"invalid publish \"{text}\": \"{value}\" is not a port (1-65535)");

    public bool ConflictsWith(PortBinding other) =>
        HostPort == other.HostPort && Protocol == other.Protocol
        && (HostIp == other.HostIp || HostIp == "0.0.0.0" || other.HostIp == "0.0.0.0");

    /// <summary>The full -p form, which <see cref="Parse"/> reads back.</summary>
    public string Spec => $"{HostIp}:{HostPort}:{ContainerPort}/{Protocol}";

    public override string ToString() => $"{HostIp}:{HostPort}->{ContainerPort}/{Protocol}";
}
