namespace Skiff.Network.Netfilter;

/// <summary>Every table the host has loaded, as iptables-save prints them.</summary>
public sealed record Ruleset(IReadOnlyList<Table> Tables)
{
    public static readonly Ruleset Empty = new([]);

    public Table? Table(string name) => Tables.FirstOrDefault(t => t.Name == name);

    public int RuleCount => Tables.Sum(t => t.Chains.Sum(c => c.Rules.Count));
}

public sealed record Table(string Name, IReadOnlyList<Chain> Chains)
{
    private readonly Dictionary<string, Chain> _byName = Chains.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public Chain? Chain(string name) => _byName.GetValueOrDefault(name);
}

/// <summary>A built-in chain has a policy; a user chain has none and returns to its caller at its end.</summary>
public sealed record Chain(string Name, ChainPolicy? Policy, PacketCounters? PolicyCounters, IReadOnlyList<Rule> Rules)
{
    public bool IsBuiltin => Policy is not null;
}

public enum ChainPolicy { Accept, Drop }

public readonly record struct PacketCounters(ulong Packets, ulong Bytes);
