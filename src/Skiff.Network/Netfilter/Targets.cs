using System.Net;

namespace Skiff.Network.Netfilter;

/// <summary>What a rule does when it matches: decide (ACCEPT, DROP), move in the chain graph, or rewrite and go on.</summary>
public abstract record Target
{
    public abstract string Name { get; }
}

public sealed record AcceptTarget : Target { public override string Name => "ACCEPT"; }

public sealed record DropTarget : Target { public override string Name => "DROP"; }

public sealed record RejectTarget(string? With) : Target { public override string Name => "REJECT"; }

public sealed record ReturnTarget : Target { public override string Name => "RETURN"; }

/// <summary>-j CHAIN: RETURN (or the chain's end) comes back to the next rule here.</summary>
public sealed record JumpTarget(string Chain) : Target { public override string Name => Chain; }

/// <summary>-g CHAIN: RETURN goes back to the last -j, not here.</summary>
public sealed record GotoTarget(string Chain) : Target { public override string Name => Chain; }

/// <summary>A rule with no -j only counts the packet.</summary>
public sealed record NoTarget : Target { public override string Name => ""; }

/// <summary>--to-destination / --to-source: an address range and an optional port range, each optional.</summary>
public sealed record NatRange(IPAddress? FirstAddress, IPAddress? LastAddress, PortRange? Ports)
{
    public static NatRange Parse(string text)
    {
        var colon = text.IndexOf(':');
        var addresses = colon < 0 ? text : text[..colon];
        PortRange? ports = colon < 0 ? null : PortRange.Parse(text[(colon + 1)..]);
        if (addresses.Length == 0) return new NatRange(null, null, ports);
        var dash = addresses.IndexOf('-');
        var first = Ipv4Prefix.ToAddress(Ipv4Prefix.ParseAddress(dash < 0 ? addresses : addresses[..dash]));
        var last = dash < 0 ? first : Ipv4Prefix.ToAddress(Ipv4Prefix.ParseAddress(addresses[(dash + 1)..]));
        return new NatRange(first, last, ports);
    }

    public override string ToString() =>
        (FirstAddress is null ? "" : Equals(FirstAddress, LastAddress) ? $"{FirstAddress}" : $"{FirstAddress}-{LastAddress}")
        + (Ports is { } p ? $":{(p.First == p.Last ? $"{p.First}" : $"{p.First}-{p.Last}")}" : "");
}

public sealed record DnatTarget(NatRange To) : Target { public override string Name => "DNAT"; }

public sealed record SnatTarget(NatRange To) : Target { public override string Name => "SNAT"; }

public sealed record MasqueradeTarget(PortRange? ToPorts) : Target { public override string Name => "MASQUERADE"; }

public sealed record RedirectTarget(PortRange? ToPorts) : Target { public override string Name => "REDIRECT"; }

/// <summary>MARK --set-xmark value/mask: mark = (mark AND NOT mask) XOR value. The other MARK forms are this one.</summary>
public sealed record MarkTarget(uint Value, uint Mask) : Target { public override string Name => "MARK"; }

public sealed record LogTarget(string? Prefix) : Target { public override string Name => "LOG"; }

public sealed record UnsupportedTarget(string TargetName, string Text) : Target { public override string Name => TargetName; }
