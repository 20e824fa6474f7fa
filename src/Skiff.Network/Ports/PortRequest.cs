using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Skiff.Linux;

namespace Skiff.Network.Ports;

/// <summary>
/// One container port to publish, as the user asked for it: on a fixed host port, on any free port
/// of a host range (<c>-p 8000-8002:80</c>), or on an ephemeral one (<c>-p 80</c>, <c>-P</c>), where
/// HostFirst is 0. The host port is chosen when the container starts (<see cref="HostPortChooser"/>).
/// </summary>
public sealed record PortRequest(string HostIp, int HostFirst, int HostLast, int ContainerPort, string Protocol)
{
    public const string AnyAddress = "0.0.0.0";

    public bool Ephemeral => HostFirst == 0;

    /// <summary>An EXPOSEd port under -P: published on an ephemeral port of every address.</summary>
    public static PortRequest Exposed(ExposedPort port) => new(AnyAddress, 0, 0, port.Port, port.Protocol);

    /// <summary>
    /// Docker's <c>-p [ip:][hostPort[-end]:]containerPort[-end][/tcp|udp]</c>. A container range
    /// becomes one request per port, paired with the host range when it has the same length; a
    /// single container port with a host range takes any free port of that range.
    /// </summary>
    public static IReadOnlyList<PortRequest> Parse(string text)
    {
        var (spec, protocol) = text.LastIndexOf('/') is var slash and >= 0 ? (text[..slash], text[(slash + 1)..].ToLowerInvariant()) : (text, "tcp");
        if (protocol is not ("tcp" or "udp")) throw new InvalidInputException($"invalid proto: {protocol} (in -p \"{text}\"; Skiff publishes tcp and udp)");
        // The address may be IPv6 in brackets in Docker's syntax; only the last two colons separate ports.
        var parts = spec.Split(':');
        var (ip, host, container) = parts.Length switch
        {
            1 => (AnyAddress, "", parts[0]),
            2 => (AnyAddress, parts[0], parts[1]),
            3 => (parts[0].Length == 0 ? AnyAddress : parts[0], parts[1], parts[2]),
            _ => throw new InvalidInputException($"invalid publish \"{text}\": use [ip:][hostPort:]containerPort[/tcp|udp]"),
        };
        if (!IPAddress.TryParse(ip, out var address) || address.AddressFamily != AddressFamily.InterNetwork)
            throw new InvalidInputException($"invalid ip address: {ip} (in -p \"{text}\"; Skiff publishes on IPv4 addresses)");
        var containerRange = Range(container, "containerPort", text) ?? throw new InvalidInputException($"no port specified: {text}<empty>");
        var hostRange = Range(host, "hostPort", text);
        var length = containerRange.Last - containerRange.First;
        if (hostRange is { } h && h.Last - h.First != length && length != 0)
            throw new InvalidInputException($"invalid ranges specified for container and host Ports: {container} and {host}");
        return Enumerable.Range(containerRange.First, length + 1).Select(port => hostRange switch
        {
            null => new PortRequest(address.ToString(), 0, 0, port, protocol),
            { } r when length == 0 => new PortRequest(address.ToString(), r.First, r.Last, port, protocol),
            { } r => new PortRequest(address.ToString(), r.First + port - containerRange.First, r.First + port - containerRange.First, port, protocol),
        }).ToList();
    }

    private static (int First, int Last)? Range(string value, string what, string text)
    {
        if (value.Length == 0) return null;
        var ends = value.Split('-');
        if (ends.Length > 2) throw new InvalidInputException($"invalid {what}: {value} (in -p \"{text}\")");
        var first = Port(ends[0], what, text);
        var last = ends.Length == 2 ? Port(ends[1], what, text) : first;
        return last >= first ? (first, last) : throw new InvalidInputException($"invalid {what}: {value}: the range ends before it starts");
    }

    private static int Port(string value, string what, string text) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port : throw new InvalidInputException($"invalid {what}: {value} (in -p \"{text}\"; a port is 1-65535)");
}

/// <summary>Docker's "80/tcp": a port the image EXPOSEs (or --expose adds).</summary>
public readonly record struct ExposedPort(int Port, string Protocol)
{
    /// <summary>"80", "80/udp", and --expose's ranges "8000-8002/tcp".</summary>
    public static IEnumerable<ExposedPort> Parse(string text)
    {
        var (spec, protocol) = text.LastIndexOf('/') is var slash and >= 0 ? (text[..slash], text[(slash + 1)..].ToLowerInvariant()) : (text, "tcp");
        if (protocol is not ("tcp" or "udp")) throw new InvalidInputException($"invalid proto: {protocol} (in \"{text}\")");
        var ends = spec.Split('-');
        if (ends.Length > 2 || !ends.All(e => int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 65535))
            throw new InvalidInputException($"invalid port: \"{text}\" (a port or range of 1-65535, with an optional /tcp or /udp)");
        var first = int.Parse(ends[0], CultureInfo.InvariantCulture);
        var last = int.Parse(ends[^1], CultureInfo.InvariantCulture);
        if (last < first) throw new InvalidInputException($"invalid port range: \"{text}\"");
        return Enumerable.Range(first, last - first + 1).Select(p => new ExposedPort(p, protocol));
    }

    public override string ToString() => $"{Port}/{Protocol}";
}
