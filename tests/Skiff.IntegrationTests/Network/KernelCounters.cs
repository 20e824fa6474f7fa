using System.Text.Json;
using System.Text.RegularExpressions;

namespace Skiff.IntegrationTests.Network;

/// <summary>
/// Packet counts per rule ("filter/FORWARD/#3") and per built-in policy ("filter/FORWARD/policy"):
/// read from the kernel with iptables-save -c, or predicted from a trace's JSON.
/// </summary>
public static partial class KernelCounters
{
    public static Dictionary<string, long> FromIptablesSave(string save)
    {
        var counts = new Dictionary<string, long>();
        var numbers = new Dictionary<string, int>();
        var table = "";
        foreach (var line in save.Split('\n'))
        {
            if (line.StartsWith('*')) { table = line[1..].Trim(); numbers.Clear(); }
            else if (ChainHeader().Match(line) is { Success: true } header && header.Groups[2].Value != "-")
                counts[$"{table}/{header.Groups[1].Value}/policy"] = long.Parse(header.Groups[3].Value);
            else if (RuleLine().Match(line) is { Success: true } rule)
            {
                var chain = rule.Groups[2].Value;
                var number = numbers[chain] = numbers.GetValueOrDefault(chain) + 1;
                counts[$"{table}/{chain}/#{number}"] = long.Parse(rule.Groups[1].Value);
            }
        }
        return counts;
    }

    /// <summary>
    /// What the trace says the packet does to the counters: each matched rule and each policy applied,
    /// plus the ICMP error a REJECT sends back (the test's peers never answer, so there is no other reply).
    /// </summary>
    public static Dictionary<string, long> FromTrace(JsonElement trace)
    {
        var counts = new Dictionary<string, long>();
        var events = trace.GetProperty("original").GetProperty("events").EnumerateArray().ToList();
        if (trace.TryGetProperty("reply", out var reply) && reply.GetProperty("direction").GetString() == "rejection")
            events.AddRange(reply.GetProperty("events").EnumerateArray());
        foreach (var e in events)
        {
            var kind = e.GetProperty("kind").GetString();
            string? key = kind switch
            {
                "rule" when e.TryGetProperty("matched", out var m) && m.ValueKind == JsonValueKind.True
                    => $"{e.GetProperty("table").GetString()}/{e.GetProperty("chain").GetString()}/#{e.GetProperty("rule").GetInt32()}",
                "policy" => $"{e.GetProperty("table").GetString()}/{e.GetProperty("chain").GetString()}/policy",
                _ => null,
            };
            if (key is not null) counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    public static Dictionary<string, long> Difference(Dictionary<string, long> after, Dictionary<string, long> before) =>
        after.Select(kv => (kv.Key, Delta: kv.Value - before.GetValueOrDefault(kv.Key))).Where(x => x.Delta != 0).ToDictionary(x => x.Key, x => x.Delta);

    public static string Describe(Dictionary<string, long> counts) =>
        counts.Count == 0 ? "(nothing)" : string.Join(", ", counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value == 1 ? kv.Key : $"{kv.Key} x{kv.Value}"));

    [GeneratedRegex(@"^:(\S+) (\S+) \[(\d+):\d+\]")] private static partial Regex ChainHeader();
    [GeneratedRegex(@"^\[(\d+):\d+\] -A (\S+)")] private static partial Regex RuleLine();
}
