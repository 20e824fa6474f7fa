namespace Skiff.Network.Netfilter;

/// <summary>"-j NAME --option value ..." into a <see cref="Target"/>.</summary>
public static class TargetParser
{
    public static Target Parse(string name, IReadOnlyList<string> options, bool isUserChain)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Count; i++)
        {
            var option = options[i];
            values[option] = i + 1 < options.Count && !options[i + 1].StartsWith("--", StringComparison.Ordinal) ? options[++i] : "";
        }
        string? Value(string option) => values.GetValueOrDefault(option);
        // Built only for a target this parser does not know: most rules' targets are known.
        Target Unsupported() => new UnsupportedTarget(name, string.Join(' ', options.Prepend($"-j {name}")));
        bool Only(params string[] known) => values.Keys.All(known.Contains);

        if (isUserChain && options.Count == 0) return new JumpTarget(name);
        return name switch
        {
            "ACCEPT" when options.Count == 0 => new AcceptTarget(),
            "DROP" when options.Count == 0 => new DropTarget(),
            "RETURN" when options.Count == 0 => new ReturnTarget(),
            "REJECT" when Only("--reject-with") => new RejectTarget(Value("--reject-with")),
            // --random and --persistent choose among several addresses or ports: with one, they change nothing.
            "DNAT" when Only("--to-destination", "--random", "--persistent") && Value("--to-destination") is { } to => new DnatTarget(NatRange.Parse(to)),
            "SNAT" when Only("--to-source", "--random", "--random-fully", "--persistent") && Value("--to-source") is { } to => new SnatTarget(NatRange.Parse(to)),
            "MASQUERADE" when Only("--to-ports", "--random", "--random-fully") => new MasqueradeTarget(Value("--to-ports") is { } p ? PortRange.Parse(p) : null),
            "REDIRECT" when Only("--to-ports", "--random") => new RedirectTarget(Value("--to-ports") is { } p ? PortRange.Parse(p) : null),
            "MARK" when values.Count == 1 => ParseMark(values.Single()) ?? Unsupported(),
            "LOG" when Only("--log-prefix", "--log-level", "--log-tcp-sequence", "--log-tcp-options", "--log-ip-options", "--log-uid", "--log-macdecode")
                => new LogTarget(Value("--log-prefix")),
            _ => Unsupported(),
        };
    }

    private static MarkTarget? ParseMark(KeyValuePair<string, string> option)
    {
        switch (option.Key)
        {
            case "--set-xmark":
            {
                var (value, mask) = IptablesSaveParser.ParseValueMask(option.Value);
                return new MarkTarget(value, mask);
            }
            case "--set-mark":
            {
                // Zero the mask's bits, then OR the value in: the same as XOR once the value's bits are cleared too.
                var (value, mask) = IptablesSaveParser.ParseValueMask(option.Value);
                return new MarkTarget(value, mask | value);
            }
            case "--or-mark": { var v = IptablesSaveParser.ParseNumber(option.Value); return new MarkTarget(v, v); }
            case "--and-mark": { var v = IptablesSaveParser.ParseNumber(option.Value); return new MarkTarget(0, ~v); }
            case "--xor-mark": return new MarkTarget(IptablesSaveParser.ParseNumber(option.Value), 0);
            default: return null;
        }
    }
}
