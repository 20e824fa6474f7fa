using Skiff.Linux.Netlink;
using Skiff.Network.Netfilter;

namespace Skiff.Network.HostState;

/// <summary>Reads a <see cref="HostSnapshot"/> of the calling thread's network namespace.</summary>
public static class LiveHostState
{
    public static HostSnapshot Read(IFirewall firewall)
    {
        var rules = firewall.Read();
        using var netlink = new RouteNetlink();
        var routes = netlink.Routes();
        var warnings = new List<string>(rules.Warnings);
        var otherTables = routes.Select(r => r.Table).Where(t => t is not (RouteTables.Main or RouteTables.Local or 253)).Distinct().ToList();
        if (otherTables.Count > 0)
            warnings.Add($"routing tables {string.Join(", ", otherTables)} exist; policy routing rules are not simulated (main and local tables only)");
        return new HostSnapshot
        {
            Ruleset = rules.Ruleset,
            Backend = rules.Backend,
            Links = netlink.Links(),
            Addresses = netlink.Addresses(),
            Routes = routes,
            Neighbors = netlink.Neighbors(RtnetlinkCodec.AfInet),
            BridgeForwarding = netlink.Neighbors(RtnetlinkCodec.AfBridge),
            Conntrack = ReadConntrack(),
            IpForwarding = ReadSysctl("/proc/sys/net/ipv4/ip_forward") ?? false,
            BridgeNetfilter = ReadSysctl("/proc/sys/net/bridge/bridge-nf-call-iptables") ?? false,
            Warnings = warnings,
        };
    }

    private static bool? ReadSysctl(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() == "1" : null;

    // The proc file exists while nf_conntrack is loaded; without it no connection is tracked at all.
    private static List<ConntrackEntry> ReadConntrack() =>
        File.Exists("/proc/net/nf_conntrack") ? ConntrackParser.Parse(File.ReadAllText("/proc/net/nf_conntrack")) : [];
}
