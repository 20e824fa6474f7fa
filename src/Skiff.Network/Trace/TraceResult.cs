namespace Skiff.Network.Trace;

/// <summary>
/// One line of the walk. Kind is "hook" (entering a hook), "rule" (a rule evaluated; Matched says
/// how), "policy" (a built-in chain's policy applied), "route", "conntrack", "nat", "note" or "stop".
/// Deciding marks the rule or policy that settled the packet's fate.
/// </summary>
public sealed record TraceEvent(string Kind, string Text)
{
    public string? Hook { get; init; }
    public string? Table { get; init; }
    public string? Chain { get; init; }
    public int? Rule { get; init; }
    public string? RuleText { get; init; }
    public bool? Matched { get; init; }
    public string? Reason { get; init; }
    public string? Target { get; init; }
    public int Depth { get; init; }
    public bool Deciding { get; init; }
}

/// <summary>accepted-locally, forwarded, sent, dropped, rejected, unroutable, or unknown (the trace stopped at something it cannot simulate).</summary>
public sealed record PathOutcome(string Verdict, string Summary)
{
    public string? DecidedBy { get; init; }
    public string? OutInterface { get; init; }
    public string? FinalPacket { get; init; }
}

/// <summary>Direction is "original", "reply" (the answer within the same connection) or "rejection" (the ICMP error a REJECT sends).</summary>
public sealed record PacketPath(string Direction, string Packet, IReadOnlyList<TraceEvent> Events, PathOutcome Outcome);

public sealed record TraceResult(string Backend, IReadOnlyList<string> Warnings, PacketPath Original, PacketPath? Reply);
