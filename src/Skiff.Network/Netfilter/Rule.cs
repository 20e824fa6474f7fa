namespace Skiff.Network.Netfilter;

/// <summary>
/// One "-A" line: every match must hold for the target to apply. Number is the 1-based position in
/// its chain, the way `iptables -L --line-numbers` counts; Text is the line as iptables-save wrote it.
/// </summary>
public sealed record Rule(string Table, string Chain, int Number, string Text, IReadOnlyList<Match> Matches, Target Target, PacketCounters? Counters)
{
    public override string ToString() => Text;
}
