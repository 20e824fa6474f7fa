namespace Skiff.UnitTests.Network;

/// <summary>
/// What iptables-restore --noflush does to the tables with the lines Skiff writes: declare (create
/// or flush) a chain, append, insert at 1, delete by rule text (failing the batch when missing),
/// delete a chain. Enough to compare the tables two sequences of batches leave behind.
/// </summary>
public sealed class RestoreSimulator
{
    private readonly SortedDictionary<string, SortedDictionary<string, List<string>>> _tables = new(StringComparer.Ordinal);

    public void Apply(string batch)
    {
        var staged = _tables.ToDictionary(t => t.Key, t => t.Value.ToDictionary(c => c.Key, c => c.Value.ToList()));
        var table = "";
        foreach (var line in batch.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('*')) { table = line[1..]; staged.TryAdd(table, []); continue; }
            if (line == "COMMIT") continue;
            var chains = staged[table];
            var words = line.Split(' ', 3);
            if (line.StartsWith(':')) { chains[line[1..].Split(' ')[0]] = []; continue; }
            var (op, chain, rule) = (words[0], words[1], words.Length > 2 ? words[2] : "");
            switch (op)
            {
                case "-A": Chain(chains, chain).Add(rule); break;
                case "-I": Chain(chains, chain).Insert(0, rule[2..]); break;
                case "-D":
                    if (!Chain(chains, chain).Remove(rule)) throw new InvalidOperationException($"iptables-restore: no such rule: {line}");
                    break;
                case "-X": chains.Remove(chain); break;
                default: throw new InvalidOperationException($"unexpected line {line}");
            }
        }
        _tables.Clear();
        foreach (var (name, chains) in staged)
            _tables[name] = new SortedDictionary<string, List<string>>(chains, StringComparer.Ordinal);
    }

    /// <summary>Like iptables-save: tables and chains by name, each chain's rules in order.</summary>
    public string Save() => string.Concat(_tables.Select(t => $"*{t.Key}\n" + string.Concat(t.Value.Select(c =>
        $":{c.Key}\n" + string.Concat(c.Value.Select(r => $"-A {c.Key} {r}\n"))))));

    private static List<string> Chain(Dictionary<string, List<string>> chains, string name) =>
        chains.TryGetValue(name, out var rules) ? rules
            : name is "FORWARD" or "PREROUTING" or "OUTPUT" or "POSTROUTING" or "INPUT" ? chains[name] = []
            : throw new InvalidOperationException($"iptables-restore: no chain {name}");
}
