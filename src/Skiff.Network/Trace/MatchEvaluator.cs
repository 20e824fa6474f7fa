using Skiff.Network.Netfilter;

namespace Skiff.Network.Trace;

public enum MatchResult { Matched, NotMatched, Unknown }

/// <summary>One condition's answer for one packet, with the reason in words.</summary>
public readonly record struct MatchOutcome(MatchResult Result, string Reason)
{
    public static MatchOutcome Of(bool matched, string reason) => new(matched ? MatchResult.Matched : MatchResult.NotMatched, reason);
}

/// <summary>Evaluates a rule's matches against a packet as the kernel's match modules do.</summary>
public sealed class MatchEvaluator(HostNetwork network)
{
    /// <summary>
    /// A rule matches when every condition does. One that fails decides "no" even past an unknown
    /// one; an unknown with no failure leaves the rule undecided, and the trace stops there.
    /// </summary>
    public MatchOutcome Evaluate(Rule rule, Packet packet)
    {
        var outcomes = rule.Matches.Select(m => Evaluate(m, packet)).ToList();
        var failed = outcomes.FirstOrDefault(o => o.Result == MatchResult.NotMatched);
        if (failed.Reason is not null) return failed;
        var unknown = outcomes.FirstOrDefault(o => o.Result == MatchResult.Unknown);
        if (unknown.Reason is not null) return unknown;
        return new MatchOutcome(MatchResult.Matched, outcomes.Count == 0 ? "matches every packet" : string.Join("; ", outcomes.Select(o => o.Reason)));
    }

    public MatchOutcome Evaluate(Match match, Packet p) => match switch
    {
        AddressMatch a => Address(a, p),
        InterfaceMatch i => Interface(i, p),
        ProtocolMatch m => Negatable(m.Protocol == Protocols.All || m.Protocol == p.Protocol, m.Negated,
            $"protocol {Protocols.Name(p.Protocol)}", $"{Protocols.Name(m.Protocol)}"),
        PortMatch m => Ports(p, m.Field, [m.Range], m.Negated),
        MultiportMatch m => Ports(p, m.Field, m.Ports, m.Negated),
        ConntrackStateMatch m => Negatable((m.States & CurrentState(p)) != 0, m.Negated,
            $"ctstate {Describe(CurrentState(p))}", $"{Describe(m.States)}"),
        AddressTypeMatch m => AddressType(m, p),
        CommentMatch m => new MatchOutcome(MatchResult.Matched, $"comment \"{m.Text}\""),
        MarkMatch m => Negatable((p.Mark & m.Mask) == m.Value, m.Negated, $"mark 0x{p.Mark:x}", $"0x{m.Value:x}/0x{m.Mask:x}"),
        IcmpTypeMatch m => Icmp(m, p),
        PhysDevMatch m => PhysDev(m, p),
        UnsupportedMatch m => new MatchOutcome(MatchResult.Unknown, $"cannot simulate match \"{m.Module}\" ({m.Text})"),
        _ => new MatchOutcome(MatchResult.Unknown, $"cannot simulate {match.GetType().Name}"),
    };

    private static MatchOutcome Negatable(bool holds, bool negated, string actual, string wanted) =>
        MatchOutcome.Of(holds != negated, $"{actual} {(holds ? "is" : "is not")} {wanted}" + (negated ? " (negated)" : ""));

    private static MatchOutcome Address(AddressMatch a, Packet p)
    {
        var address = a.Field == AddressField.Source ? p.Source : p.Destination;
        return Negatable(a.Prefix.Contains(address), a.Negated, $"{(a.Field == AddressField.Source ? "source" : "destination")} {address}", $"in {a.Prefix}");
    }

    private static MatchOutcome Interface(InterfaceMatch i, Packet p)
    {
        var name = i.Direction == Direction.In ? p.In : p.Out;
        // The kernel compares against an empty name when the hook has no such interface.
        var holds = InterfacePattern.Matches(i.Pattern, name ?? "");
        return Negatable(holds, i.Negated, $"{(i.Direction == Direction.In ? "in" : "out")}-interface {name ?? "(none)"}", i.Pattern);
    }

    private static MatchOutcome Ports(Packet p, PortField field, IReadOnlyList<PortRange> ranges, bool negated)
    {
        if (!Protocols.HasPorts(p.Protocol) || p.SourcePort is not { } sport || p.DestinationPort is not { } dport)
            return new MatchOutcome(MatchResult.NotMatched, $"{Protocols.Name(p.Protocol)} has no ports");
        var list = string.Join(",", ranges);
        return field switch
        {
            PortField.Source => Negatable(ranges.Any(r => r.Contains(sport)), negated, $"source port {sport}", $"in {list}"),
            PortField.Destination => Negatable(ranges.Any(r => r.Contains(dport)), negated, $"destination port {dport}", $"in {list}"),
            _ => Negatable(ranges.Any(r => r.Contains(sport) || r.Contains(dport)), negated, $"ports {sport},{dport}", $"in {list}"),
        };
    }

    /// <summary>Before conntrack has looked at the packet (raw table) the state match sees INVALID, as in the kernel.</summary>
    private static ConntrackStates CurrentState(Packet p)
    {
        if (!p.Tracked) return ConntrackStates.Invalid;
        var state = p.State;
        if (p.DestinationNatted) state |= ConntrackStates.Dnat;
        if (p.SourceNatted) state |= ConntrackStates.Snat;
        return state;
    }

    private static string Describe(ConntrackStates states) => states.ToString().ToUpperInvariant().Replace(" ", "");

    private MatchOutcome AddressType(AddressTypeMatch m, Packet p)
    {
        var device = m.LimitToInInterface ? p.In : m.LimitToOutInterface ? p.Out : null;
        var reasons = new List<string>();
        var holds = true;
        if (m.SourceTypes is { } src)
        {
            var type = network.AddressType(p.Source, device);
            var ok = ((type & src) != 0) != m.SourceNegated;
            holds &= ok;
            reasons.Add($"source {p.Source} is {type.ToString().ToUpperInvariant()}, wanted {(m.SourceNegated ? "not " : "")}{src.ToString().ToUpperInvariant().Replace(" ", "")}");
        }
        if (m.DestinationTypes is { } dst)
        {
            var type = network.AddressType(p.Destination, device);
            var ok = ((type & dst) != 0) != m.DestinationNegated;
            holds &= ok;
            reasons.Add($"destination {p.Destination} is {type.ToString().ToUpperInvariant()}, wanted {(m.DestinationNegated ? "not " : "")}{dst.ToString().ToUpperInvariant().Replace(" ", "")}");
        }
        return MatchOutcome.Of(holds, string.Join("; ", reasons) + (device is null ? "" : $" (limited to {device})"));
    }

    private static MatchOutcome Icmp(IcmpTypeMatch m, Packet p)
    {
        if (p.Protocol != Protocols.Icmp || p.IcmpType is not { } type)
            return new MatchOutcome(MatchResult.NotMatched, "not an ICMP packet");
        var holds = m.Type == IcmpTypes.Any || (m.Type == type && (m.Code is null || m.Code == (p.IcmpCode ?? 0)));
        return Negatable(holds, m.Negated, $"icmp type {type}/{p.IcmpCode ?? 0}", m.Code is { } c ? $"{m.Type}/{c}" : $"{m.Type}");
    }

    private static MatchOutcome PhysDev(PhysDevMatch m, Packet p)
    {
        // xt_physdev on a packet without bridge state: only the negated forms hold.
        if (!p.Bridged)
        {
            var holds = (m.IsBridged != true) && (m.IsIn != true) && (m.IsOut != true)
                && (m.InPattern is null || m.InNegated) && (m.OutPattern is null || m.OutNegated);
            return MatchOutcome.Of(holds, "the packet did not come through a bridge port");
        }
        var checks = new List<(bool? Holds, string Reason)>();
        if (m.InPattern is { } inPattern) checks.Add(Port(p.PhysIn, inPattern, m.InNegated, "physdev-in"));
        if (m.OutPattern is { } outPattern) checks.Add(Port(p.PhysOut, outPattern, m.OutNegated, "physdev-out"));
        if (m.IsIn is { } isIn) checks.Add(((p.PhysIn is not null) == isIn, $"physdev-is-in {(p.PhysIn is not null ? "yes" : "no")}"));
        if (m.IsOut is { } isOut) checks.Add(((p.PhysOut is not null) == isOut, $"physdev-is-out {(p.PhysOut is not null ? "yes" : "no")}"));
        if (m.IsBridged is { } isBridged) checks.Add(((p.PhysOut is not null) == isBridged, $"physdev-is-bridged {(p.PhysOut is not null ? "yes" : "no")}"));
        var reason = string.Join("; ", checks.Select(c => c.Reason));
        if (checks.Any(c => c.Holds == false)) return new MatchOutcome(MatchResult.NotMatched, reason);
        if (checks.Any(c => c.Holds is null)) return new MatchOutcome(MatchResult.Unknown, reason);
        return new MatchOutcome(MatchResult.Matched, reason);
    }

    private static (bool?, string) Port(string? port, string pattern, bool negated, string what) =>
        port == Packet.UnknownPort
            ? (null, $"{what} unknown (no ARP or bridge forwarding entry for the neighbour)")
            : (InterfacePattern.Matches(pattern, port ?? "") != negated, $"{what} {port ?? "(none)"} {(negated ? "!" : "")}{pattern}");
}
