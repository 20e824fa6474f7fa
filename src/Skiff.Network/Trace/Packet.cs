using System.Net;
using Skiff.Network.HostState;
using Skiff.Network.Netfilter;

namespace Skiff.Network.Trace;

/// <summary>
/// The packet as it moves through the hooks: its header fields (rewritten by NAT), the interfaces
/// and bridge ports the current hook sees, its mark, and what conntrack knows about it.
/// </summary>
public sealed class Packet
{
    /// <summary>A bridge port the tracer could not work out (no ARP or forwarding entry): physdev matches on it cannot be decided.</summary>
    public const string UnknownPort = "?";

    public required IPAddress Source { get; set; }
    public required IPAddress Destination { get; set; }
    public required int Protocol { get; init; }
    public int? SourcePort { get; set; }
    public int? DestinationPort { get; set; }
    public int? IcmpType { get; init; }
    public int? IcmpCode { get; init; }
    public string? In { get; set; }
    public string? Out { get; set; }
    public string? PhysIn { get; set; }
    public string? PhysOut { get; set; }
    /// <summary>Whether the packet has br_netfilter state: it came in through a bridge port.</summary>
    public bool Bridged { get; set; }
    public uint Mark { get; set; }

    /// <summary>False before conntrack has seen the packet (the raw table): ctstate is then INVALID.</summary>
    public bool Tracked { get; set; }
    public ConntrackStates State { get; set; } = ConntrackStates.New;
    /// <summary>An existing entry this packet belongs to, if any; its NAT applies and the nat table is skipped.</summary>
    public ConntrackEntry? Entry { get; set; }
    public bool IsReplyDirection { get; set; }
    public bool DestinationNatDone { get; set; }
    public bool SourceNatDone { get; set; }
    public bool DestinationNatted { get; set; }
    public bool SourceNatted { get; set; }

    public string Describe() =>
        $"{Protocols.Name(Protocol)} {Source}{Port(SourcePort)} -> {Destination}{Port(DestinationPort)}"
        + (IcmpType is { } t ? $" icmp type {t}" + (IcmpCode is { } c ? $"/{c}" : "") : "");

    private static string Port(int? port) => port is { } p ? $":{p}" : "";
}
