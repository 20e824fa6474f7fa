using System.Net;
using System.Net.Sockets;

namespace Skiff.Network.Trace;

/// <summary>Where a traced packet comes from or goes to.</summary>
public abstract record TraceEndpoint;

/// <summary>The host itself: a local process as source, one of the host's own addresses as destination.</summary>
public sealed record HostEndpoint : TraceEndpoint
{
    public override string ToString() => "host";
}

public sealed record AddressEndpoint(IPAddress Address) : TraceEndpoint
{
    public override string ToString() => Address.ToString();
}

/// <summary>
/// Turns what the user typed into an endpoint. This one knows "host" and IPv4 addresses and
/// returns null for anything else; container names are the engine's to resolve.
/// </summary>
public interface IEndpointResolver
{
    TraceEndpoint? Resolve(string text);
}

public sealed class AddressResolver : IEndpointResolver
{
    public TraceEndpoint? Resolve(string text) =>
        text == "host" ? new HostEndpoint()
        : IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork && text.Count(c => c == '.') == 3 ? new AddressEndpoint(ip)
        : null;
}

/// <summary>
/// The packet to trace. InInterface says where an outside packet arrives (else the interface that
/// faces its source); ports default to an ephemeral source port; ICMP defaults to echo-request.
/// </summary>
public sealed record TraceRequest(TraceEndpoint From, TraceEndpoint To, int Protocol)
{
    public const int DefaultSourcePort = 40000;
    public int? SourcePort { get; init; }
    public int? DestinationPort { get; init; }
    public int? IcmpType { get; init; }
    public int? IcmpCode { get; init; }
    public string? InInterface { get; init; }
    /// <summary>The bridge port (a container's veth) the packet enters its bridge through; else found from the neighbour tables.</summary>
    public string? InBridgePort { get; init; }
    public uint Mark { get; init; }
}
