using System.Globalization;
using System.Text;
using Skiff.Linux;

namespace Skiff.Network.Netfilter;

/// <summary>
/// Reads iptables-save output (with or without -c counters) into a <see cref="Ruleset"/>. Every
/// "-A" line becomes typed matches and a target; options it does not know are kept as
/// <see cref="UnsupportedMatch"/> / <see cref="UnsupportedTarget"/> rather than dropped, so the
/// tracer can say where its knowledge ends.
/// </summary>
public static class IptablesSaveParser
{
    public static Ruleset Parse(string text)
    {
        var tables = new List<Table>();
        string? tableName = null;
        var chains = new List<(string Name, ChainPolicy? Policy, PacketCounters? Counters)>();
        // Looked up once per rule line, and rules grouped as they come: tens of thousands of rules in
        // hundreds of chains must stay linear.
        var chainNames = new HashSet<string>(StringComparer.Ordinal);
        var rules = new Dictionary<string, List<Rule>>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            try
            {
                if (line[0] == '*')
                {
                    tableName = line[1..];
                    chains.Clear();
                    chainNames.Clear();
                    rules.Clear();
                }
                else if (line[0] == ':')
                {
                    var header = ParseChainHeader(line);
                    chains.Add(header);
                    chainNames.Add(header.Name);
                }
                else if (line == "COMMIT")
                {
                    var name = tableName ?? throw new FormatException("COMMIT outside a table");
                    tables.Add(new Table(name, chains.Select(c => new Chain(c.Name, c.Policy, c.Counters,
                        rules.TryGetValue(c.Name, out var inChain) ? inChain.Select((r, i) => r with { Number = i + 1 }).ToList() : [])).ToList()));
                    tableName = null;
                }
                else
                {
                    var name = tableName ?? throw new FormatException("rule outside a table");
                    var rule = ParseRule(name, line, chainNames);
                    if (!rules.TryGetValue(rule.Chain, out var inChain)) rules[rule.Chain] = inChain = [];
                    inChain.Add(rule);
                }
            }
            catch (Exception e) when (e is FormatException or InvalidInputException)
            {
                throw new FormatException($"iptables-save line {lineNumber}: {e.Message}: {line}", e);
            }
        }
        if (tableName is not null) throw new FormatException($"table {tableName} has no COMMIT");
        return new Ruleset(tables);
    }

    private static (string Name, ChainPolicy? Policy, PacketCounters? Counters) ParseChainHeader(string line)
    {
        var parts = line[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2) throw new FormatException("chain header needs a name and a policy");
        ChainPolicy? policy = parts[1] switch
        {
            "-" => null,
            "ACCEPT" => ChainPolicy.Accept,
            "DROP" => ChainPolicy.Drop,
            _ => throw new FormatException($"unknown policy {parts[1]}"),
        };
        return (parts[0], policy, parts.Length > 2 ? ParseCounters(parts[2]) : null);
    }

    private static PacketCounters ParseCounters(string bracketed)
    {
        var inner = bracketed.Trim('[', ']').Split(':');
        if (inner.Length != 2 || !ulong.TryParse(inner[0], out var packets) || !ulong.TryParse(inner[1], out var bytes))
            throw new FormatException($"bad counters {bracketed}");
        return new PacketCounters(packets, bytes);
    }

    public static Rule ParseRule(string table, string line, IReadOnlySet<string> chains)
    {
        PacketCounters? counters = null;
        if (line.StartsWith('['))
        {
            var close = line.IndexOf(']');
            counters = ParseCounters(line[..(close + 1)]);
            line = line[(close + 1)..].TrimStart();
        }
        var tokens = Tokenize(line);
        var builder = new RuleBuilder(table, chains);
        for (var i = 0; i < tokens.Count; i++)
        {
            var negated = false;
            if (tokens[i] == "!") { negated = true; i++; }
            if (i >= tokens.Count) throw new FormatException("\"!\" at the end of the rule");
            var option = tokens[i];
            if (option is "-j" or "--jump" or "-g" or "--goto")
            {
                builder.SetTarget(option is "-g" or "--goto", Next(tokens, ref i, option), tokens.Skip(i + 1).ToList());
                break;
            }
            var args = new List<string>();
            while (i + 1 < tokens.Count && !IsOption(tokens[i + 1])) args.Add(tokens[++i]);
            builder.Add(option, args, negated);
        }
        return builder.Build(line, counters);
    }

    private static string Next(List<string> tokens, ref int i, string option) =>
        ++i < tokens.Count ? tokens[i] : throw new FormatException($"{option} needs a value");

    private static bool IsOption(string token) => token == "!" || (token.Length > 1 && token[0] == '-' && !char.IsDigit(token[1]));

    /// <summary>Splits on spaces, honouring the double quotes and backslash escapes iptables-save writes around comments and prefixes.</summary>
    public static List<string> Tokenize(string line)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var inQuotes = false;
        var hasToken = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\\' && i + 1 < line.Length) { current.Append(line[++i]); hasToken = true; }
            else if (c == '"') { inQuotes = !inQuotes; hasToken = true; }
            else if (c == ' ' && !inQuotes)
            {
                if (hasToken) tokens.Add(current.ToString());
                current.Clear();
                hasToken = false;
            }
            else { current.Append(c); hasToken = true; }
        }
        if (inQuotes) throw new FormatException("unterminated quote");
        if (hasToken) tokens.Add(current.ToString());
        return tokens;
    }

    /// <summary>Collects one rule's matches; options after "-m X" belong to module X.</summary>
    private sealed class RuleBuilder(string table, IReadOnlySet<string> chains)
    {
        private readonly List<Match> _matches = [];
        private string? _chain;
        private string? _module;
        private int _moduleStart;
        private Target _target = new NoTarget();

        public void Add(string option, List<string> args, bool negated)
        {
            string Single() => args.Count == 1 ? args[0] : throw new FormatException($"{option} takes one value");
            switch (option)
            {
                case "-A": _chain = Single(); break;
                case "-s" or "--source": _matches.Add(new AddressMatch(AddressField.Source, Ipv4Prefix.Parse(Single()), negated)); break;
                case "-d" or "--destination": _matches.Add(new AddressMatch(AddressField.Destination, Ipv4Prefix.Parse(Single()), negated)); break;
                case "-i" or "--in-interface": _matches.Add(new InterfaceMatch(Direction.In, Single(), negated)); break;
                case "-o" or "--out-interface": _matches.Add(new InterfaceMatch(Direction.Out, Single(), negated)); break;
                case "-p" or "--protocol": _matches.Add(new ProtocolMatch(Protocols.Parse(Single()), negated)); break;
                case "-m" or "--match": _module = Single(); _moduleStart = _matches.Count; break;
                case "-c": break; // "-c packets bytes" is the other way counters are written; the tracer does not need them
                case "-f" or "--fragment": Unsupported("fragment", option, args, negated); break;
                default: AddModuleOption(option, args, negated, Single); break;
            }
        }

        private void AddModuleOption(string option, List<string> args, bool negated, Func<string> single)
        {
            switch (_module, option)
            {
                case ("tcp" or "udp" or null, "--sport" or "--source-port"):
                    _matches.Add(new PortMatch(PortField.Source, PortRange.Parse(single()), negated)); break;
                case ("tcp" or "udp" or null, "--dport" or "--destination-port"):
                    _matches.Add(new PortMatch(PortField.Destination, PortRange.Parse(single()), negated)); break;
                case ("multiport", "--sports" or "--source-ports"): Multiport(PortField.Source, single(), negated); break;
                case ("multiport", "--dports" or "--destination-ports"): Multiport(PortField.Destination, single(), negated); break;
                case ("multiport", "--ports"): Multiport(PortField.Either, single(), negated); break;
                case ("conntrack", "--ctstate") or ("state", "--state"):
                    _matches.Add(new ConntrackStateMatch(ParseStates(single()), negated)); break;
                case ("addrtype", "--src-type"): UpdateAddressType(a => a with { SourceTypes = ParseAddressTypes(single()), SourceNegated = negated }); break;
                case ("addrtype", "--dst-type"): UpdateAddressType(a => a with { DestinationTypes = ParseAddressTypes(single()), DestinationNegated = negated }); break;
                case ("addrtype", "--limit-iface-in"): UpdateAddressType(a => a with { LimitToInInterface = true }); break;
                case ("addrtype", "--limit-iface-out"): UpdateAddressType(a => a with { LimitToOutInterface = true }); break;
                case ("comment", "--comment"): _matches.Add(new CommentMatch(single())); break;
                case ("mark", "--mark"):
                    var (value, mask) = ParseValueMask(single());
                    _matches.Add(new MarkMatch(value, mask, negated)); break;
                case ("icmp" or null, "--icmp-type"): var (type, code) = IcmpTypes.Parse(single()); _matches.Add(new IcmpTypeMatch(type, code, negated)); break;
                case ("physdev", "--physdev-in"): UpdatePhysDev(p => p with { InPattern = single(), InNegated = negated }); break;
                case ("physdev", "--physdev-out"): UpdatePhysDev(p => p with { OutPattern = single(), OutNegated = negated }); break;
                case ("physdev", "--physdev-is-in"): UpdatePhysDev(p => p with { IsIn = !negated }); break;
                case ("physdev", "--physdev-is-out"): UpdatePhysDev(p => p with { IsOut = !negated }); break;
                case ("physdev", "--physdev-is-bridged"): UpdatePhysDev(p => p with { IsBridged = !negated }); break;
                default: Unsupported(_module ?? "(no module)", option, args, negated); break;
            }
        }

        private void Unsupported(string module, string option, List<string> args, bool negated) =>
            _matches.Add(new UnsupportedMatch(module, string.Join(' ', (negated ? ["!"] : Array.Empty<string>()).Append(option).Concat(args))));

        private void Multiport(PortField field, string list, bool negated) =>
            _matches.Add(new MultiportMatch(field, list.Split(',').Select(PortRange.Parse).ToList(), negated));

        // addrtype and physdev print several options for one match: they are one condition, built up here.
        private void UpdateAddressType(Func<AddressTypeMatch, AddressTypeMatch> update) =>
            Update(new AddressTypeMatch(null, false, null, false, false, false), update);

        private void UpdatePhysDev(Func<PhysDevMatch, PhysDevMatch> update) =>
            Update(new PhysDevMatch(null, false, null, false, null, null, null), update);

        private void Update<T>(T fresh, Func<T, T> update) where T : Match
        {
            if (_matches.Count > _moduleStart && _matches[^1] is T existing) _matches[^1] = update(existing);
            else _matches.Add(update(fresh));
        }

        public void SetTarget(bool isGoto, string name, List<string> options)
        {
            _target = isGoto ? new GotoTarget(name) : TargetParser.Parse(name, options, chains.Contains(name));
            if (isGoto && !chains.Contains(name)) throw new FormatException($"goto to unknown chain {name}");
        }

        public Rule Build(string text, PacketCounters? counters) =>
            new(table, _chain ?? throw new FormatException("rule without -A CHAIN"), 0, text, _matches, _target, counters);
    }

    public static ConntrackStates ParseStates(string list) =>
        list.Split(',').Aggregate(ConntrackStates.None, (all, s) => all | (Enum.TryParse<ConntrackStates>(s, ignoreCase: true, out var state)
            ? state : throw new FormatException($"unknown conntrack state {s}")));

    public static AddressTypes ParseAddressTypes(string list) =>
        list.Split(',').Aggregate(AddressTypes.None, (all, s) => all | (Enum.TryParse<AddressTypes>(s.Replace("_", ""), ignoreCase: true, out var type)
            ? type : throw new FormatException($"unknown address type {s}")));

    public static (uint Value, uint Mask) ParseValueMask(string text)
    {
        var slash = text.IndexOf('/');
        return slash < 0 ? (ParseNumber(text), uint.MaxValue) : (ParseNumber(text[..slash]), ParseNumber(text[(slash + 1)..]));
    }

    public static uint ParseNumber(string text) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex) ? hex : throw new FormatException($"bad number {text}")
            : uint.TryParse(text, CultureInfo.InvariantCulture, out var dec) ? dec : throw new FormatException($"bad number {text}");
}
