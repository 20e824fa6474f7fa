using Skiff.Linux;

namespace Skiff.Network.Netfilter;

/// <summary>A port or an inclusive range: "80", "8000:8010" in matches, "8000-8010" in NAT targets.</summary>
public readonly record struct PortRange(int First, int Last)
{
    public bool Contains(int port) => port >= First && port <= Last;

    public static PortRange Parse(string text)
    {
        var separator = text.IndexOfAny([':', '-']);
        if (separator < 0) return new PortRange(ParsePort(text, text), ParsePort(text, text));
        // iptables reads an empty side as the end of the port space: ":1024" and "1024:".
        var first = separator == 0 ? 0 : ParsePort(text[..separator], text);
        var last = separator == text.Length - 1 ? 65535 : ParsePort(text[(separator + 1)..], text);
        return new PortRange(first, last);
    }

    private static int ParsePort(string port, string whole) =>
        int.TryParse(port, out var n) && n is >= 0 and <= 65535 ? n
            : WellKnownPorts.TryGetValue(port, out var known) ? known
            : throw new InvalidInputException($"\"{whole}\" is not a port or port range");

    // iptables-save prints numbers, but rules written by hand (and --dport on the command line) may use names.
    private static readonly Dictionary<string, int> WellKnownPorts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ssh"] = 22, ["domain"] = 53, ["http"] = 80, ["https"] = 443, ["ntp"] = 123, ["smtp"] = 25,
    };

    public override string ToString() => First == Last ? $"{First}" : $"{First}:{Last}";
}
