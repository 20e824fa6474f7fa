using System.Net;

namespace Skiff.Network.HostState;

/// <summary>One direction of a tracked connection: addresses, and ports or the ICMP type and id.</summary>
public sealed record ConntrackTuple(IPAddress Source, IPAddress Destination, int? SourcePort, int? DestinationPort, int? IcmpType, int? IcmpId);

/// <summary>
/// A connection the kernel tracks. Original is the first packet's tuple; Reply is what an answer
/// looks like after NAT, so a DNAT shows as Reply.Source differing from Original.Destination.
/// </summary>
public sealed record ConntrackEntry(int Protocol, string? TcpState, ConntrackTuple Original, ConntrackTuple Reply, bool Unreplied, bool Assured, uint Mark, string Text)
{
    public bool IsDestinationNatted => !Original.Destination.Equals(Reply.Source) || Original.DestinationPort != Reply.SourcePort;
    public bool IsSourceNatted => !Original.Source.Equals(Reply.Destination) || Original.SourcePort != Reply.DestinationPort;
}
