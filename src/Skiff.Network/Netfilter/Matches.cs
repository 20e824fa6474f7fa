namespace Skiff.Network.Netfilter;

/// <summary>
/// One condition of a rule. Each kind is a record the tracer evaluates; a module the parser does
/// not know becomes <see cref="UnsupportedMatch"/>, which the tracer refuses to guess past.
/// </summary>
public abstract record Match;

public enum AddressField { Source, Destination }

public enum Direction { In, Out }

/// <summary>-s / -d with an optional "!".</summary>
public sealed record AddressMatch(AddressField Field, Ipv4Prefix Prefix, bool Negated) : Match;

/// <summary>-i / -o: a name, or a prefix when it ends in "+" ("veth+"; a lone "+" is any interface).</summary>
public sealed record InterfaceMatch(Direction Direction, string Pattern, bool Negated) : Match;

/// <summary>-p by number (tcp 6, udp 17, icmp 1); 0 is "all".</summary>
public sealed record ProtocolMatch(int Protocol, bool Negated) : Match;

public enum PortField { Source, Destination, Either }

/// <summary>--sport / --dport of -m tcp or -m udp.</summary>
public sealed record PortMatch(PortField Field, PortRange Range, bool Negated) : Match;

/// <summary>-m multiport --sports / --dports / --ports with a list of ports and ranges.</summary>
public sealed record MultiportMatch(PortField Field, IReadOnlyList<PortRange> Ports, bool Negated) : Match;

/// <summary>-m conntrack --ctstate or the older -m state --state.</summary>
public sealed record ConntrackStateMatch(ConntrackStates States, bool Negated) : Match;

/// <summary>-m addrtype: the route type of the source and/or destination address, optionally only on the packet's interface.</summary>
public sealed record AddressTypeMatch(
    AddressTypes? SourceTypes, bool SourceNegated, AddressTypes? DestinationTypes, bool DestinationNegated,
    bool LimitToInInterface, bool LimitToOutInterface) : Match;

/// <summary>-m comment: always true, kept to show in the walk.</summary>
public sealed record CommentMatch(string Text) : Match;

/// <summary>-m mark --mark value[/mask].</summary>
public sealed record MarkMatch(uint Value, uint Mask, bool Negated) : Match;

/// <summary>-m icmp --icmp-type type[/code]; type 255 is "any".</summary>
public sealed record IcmpTypeMatch(int Type, int? Code, bool Negated) : Match;

/// <summary>-m physdev: the bridge ports of a bridged packet (only seen when bridge netfilter is on).</summary>
public sealed record PhysDevMatch(
    string? InPattern, bool InNegated, string? OutPattern, bool OutNegated,
    bool? IsIn, bool? IsOut, bool? IsBridged) : Match;

/// <summary>A module or option the tracer cannot simulate, with the text it came from.</summary>
public sealed record UnsupportedMatch(string Module, string Text) : Match;

[Flags]
public enum ConntrackStates
{
    None = 0, Invalid = 1, New = 2, Established = 4, Related = 8, Untracked = 16, Snat = 32, Dnat = 64,
}

/// <summary>The kernel's route types as addrtype names them (RTN_*).</summary>
[Flags]
public enum AddressTypes
{
    None = 0, Unspec = 1 << 0, Unicast = 1 << 1, Local = 1 << 2, Broadcast = 1 << 3, Anycast = 1 << 4,
    Multicast = 1 << 5, Blackhole = 1 << 6, Unreachable = 1 << 7, Prohibit = 1 << 8, Throw = 1 << 9,
    Nat = 1 << 10, XResolve = 1 << 11,
}

public static class InterfacePattern
{
    public static bool Matches(string pattern, string name) =>
        pattern.EndsWith('+') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : name == pattern;
}
