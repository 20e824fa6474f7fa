using System.Net;
using Skiff.Network.Netfilter;

namespace Skiff.Network.HostState;

/// <summary>
/// Reads /proc/net/nf_conntrack lines ("ipv4 2 tcp 6 431999 ESTABLISHED src=... [ASSURED] mark=0 ...")
/// and `conntrack -L` lines (the same without the leading "ipv4 2").
/// </summary>
public static class ConntrackParser
{
    public static List<ConntrackEntry> Parse(string text)
    {
        var entries = new List<ConntrackEntry>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("conntrack", StringComparison.Ordinal)) continue;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            if (fields[0] is "ipv4" or "ipv6") { if (fields[0] == "ipv6") continue; fields.RemoveRange(0, 2); }
            if (fields.Count < 3 || !int.TryParse(fields[1], out var protocol)) continue;
            var tcpState = protocol == Protocols.Tcp && fields.Count > 3 && !fields[3].Contains('=') ? fields[3] : null;
            var tuples = new List<Dictionary<string, string>>();
            Dictionary<string, string>? current = null;
            uint mark = 0;
            foreach (var field in fields.Skip(2))
            {
                var eq = field.IndexOf('=');
                if (eq < 0) continue;
                var (key, value) = (field[..eq], field[(eq + 1)..]);
                if (key == "src") tuples.Add(current = []);
                if (key == "mark") mark = uint.TryParse(value, out var m) ? m : 0;
                else if (current is not null && !current.ContainsKey(key)) current[key] = value;
            }
            if (tuples.Count < 2) continue;
            entries.Add(new ConntrackEntry(protocol, tcpState, ToTuple(tuples[0]), ToTuple(tuples[1]),
                line.Contains("[UNREPLIED]", StringComparison.Ordinal), line.Contains("[ASSURED]", StringComparison.Ordinal), mark, line));
        }
        return entries;
    }

    private static ConntrackTuple ToTuple(Dictionary<string, string> t)
    {
        int? Number(string key) => t.TryGetValue(key, out var v) && int.TryParse(v, out var n) ? n : null;
        return new ConntrackTuple(IPAddress.Parse(t["src"]), IPAddress.Parse(t["dst"]), Number("sport"), Number("dport"), Number("type"), Number("id"));
    }
}
