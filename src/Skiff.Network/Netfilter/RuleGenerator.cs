using System.Text;

namespace Skiff.Network.Netfilter;

/// <summary>
/// Writes Skiff's rules as <c>iptables-restore --noflush</c> batches. <see cref="Batch"/> is the
/// whole truth from the records alone: Skiff's chains are declared (which flushes them) and
/// refilled, which is how networks are made and removed and how a host whose rules drifted from
/// the records (a command killed half-way) is put right. A container's start and stop only append
/// or delete its own lines (<see cref="EndpointBatch"/>), so they cost the same with 0 or 1,000
/// containers; the kernel swaps a table per COMMIT, so no batch is ever seen half-applied.
/// The built-in chains get one jump each, added only when missing; SKIFF-USER is created once
/// and never written again, as Docker treats DOCKER-USER.
///
/// filter FORWARD: -j SKIFF-USER, -j SKIFF-FORWARD, where SKIFF-FORWARD walks
/// SKIFF-ISOLATION-STAGE-1 (leaving bridge A for any bridge B goes to STAGE-2, which drops what
/// enters another Skiff bridge), then per bridge: RELATED,ESTABLISHED accepted, the per-network
/// chain SKIFF-N-bridge (accepting only published ports), bridge to itself (accepted, or dropped
/// with icc=false), outbound accepted (not for --internal), anything else into the bridge dropped.
/// nat: PREROUTING and OUTPUT jump to SKIFF-DNAT for local destinations (published ports, also
/// for 127.0.0.1), POSTROUTING to SKIFF-POSTROUTING (MASQUERADE on leaving the subnet).
/// </summary>
public static class RuleGenerator
{
    public const string User = "SKIFF-USER", Forward = "SKIFF-FORWARD", Stage1 = "SKIFF-ISOLATION-STAGE-1",
        Stage2 = "SKIFF-ISOLATION-STAGE-2", Dnat = "SKIFF-DNAT", Postrouting = "SKIFF-POSTROUTING", NetworkPrefix = "SKIFF-N-";

    private static readonly (string Chain, string Rule)[] FilterJumps = [("FORWARD", $"-j {Forward}"), ("FORWARD", $"-j {User}")];
    private static readonly (string Chain, string Rule)[] NatJumps =
    [
        ("PREROUTING", $"-m addrtype --dst-type LOCAL -j {Dnat}"),
        ("OUTPUT", $"-m addrtype --dst-type LOCAL -j {Dnat}"),
        ("POSTROUTING", $"-j {Postrouting}"),
    ];

    public static string NetworkChain(string bridge) => NetworkPrefix + bridge;

    /// <param name="current">The tables as iptables-save prints them now: which jumps and chains exist.</param>
    public static string Batch(IReadOnlyList<BridgeNetwork> networks, IReadOnlyList<NetworkEndpoint> endpoints, string current)
    {
        var existing = SavedTables.Parse(current);
        var b = new StringBuilder();
        var active = networks.Count > 0;

        b.Append("*filter\n");
        var staleNetworkChains = existing.Chains("filter").Where(c => c.StartsWith(NetworkPrefix, StringComparison.Ordinal))
            .Except(networks.Select(n => NetworkChain(n.BridgeName))).ToList();
        if (active || existing.Chains("filter").Contains(Forward))
            foreach (var chain in new[] { Forward, Stage1, Stage2 }.Concat(networks.Select(n => NetworkChain(n.BridgeName))).Concat(staleNetworkChains))
                b.Append($":{chain} - [0:0]\n");
        if (active && !existing.Chains("filter").Contains(User))
            b.Append($":{User} - [0:0]\n-A {User} -j RETURN\n");
        Jumps(b, existing, "filter", FilterJumps, active);
        if (active)
        {
            b.Append($"-A {Forward} -j {Stage1}\n");
            foreach (var n in networks) ForwardRules(b, n, endpoints);
            foreach (var n in networks)
            {
                b.Append($"-A {Stage1} -i {n.BridgeName} ! -o {n.BridgeName} -j {Stage2}\n");
                if (n.Internal)
                    b.Append($"-A {Stage1} -i {n.BridgeName} ! -d {n.Subnet} -j DROP\n-A {Stage1} ! -s {n.Subnet} -o {n.BridgeName} -j DROP\n");
            }
            b.Append($"-A {Stage1} -j RETURN\n");
            foreach (var n in networks) b.Append($"-A {Stage2} -o {n.BridgeName} -j DROP\n");
            b.Append($"-A {Stage2} -j RETURN\n");
        }
        foreach (var chain in active ? staleNetworkChains : [.. staleNetworkChains, .. existing.Chains("filter").Contains(Forward) ? new[] { Forward, Stage1, Stage2 } : []])
            b.Append($"-X {chain}\n");
        b.Append("COMMIT\n*nat\n");

        if (active || existing.Chains("nat").Contains(Dnat))
            b.Append($":{Dnat} - [0:0]\n:{Postrouting} - [0:0]\n");
        Jumps(b, existing, "nat", NatJumps, active);
        if (active)
        {
            foreach (var n in networks.Where(n => !n.Internal))
            {
                b.Append($"-A {Postrouting} -s {n.Subnet} ! -o {n.BridgeName} -j MASQUERADE\n");
                // The host's own connections to 127.0.0.1:PORT leave with source 127.0.0.1, which
                // the container could not answer: they take the bridge's address instead.
                b.Append($"-A {Postrouting} -s 127.0.0.0/8 -o {n.BridgeName} -m addrtype --src-type LOCAL -j MASQUERADE\n");
            }
            foreach (var (n, e) in Attached(networks, endpoints))
                foreach (var (chain, rule) in EndpointRules(n, e, "nat")) b.Append($"-A {chain} {rule}\n");
        }
        else if (existing.Chains("nat").Contains(Dnat))
            b.Append($"-X {Dnat}\n-X {Postrouting}\n");
        b.Append("COMMIT\n");
        return b.ToString();
    }

    private static void ForwardRules(StringBuilder b, BridgeNetwork n, IReadOnlyList<NetworkEndpoint> endpoints)
    {
        var br = n.BridgeName;
        b.Append($"-A {Forward} -o {br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
        b.Append($"-A {Forward} -o {br} -j {NetworkChain(br)}\n");
        b.Append($"-A {Forward} -i {br} -o {br} -j {(n.InterContainer ? "ACCEPT" : "DROP")}\n");
        if (!n.Internal) b.Append($"-A {Forward} -i {br} ! -o {br} -j ACCEPT\n");
        b.Append($"-A {Forward} -o {br} -j DROP\n");
        foreach (var (_, e) in Attached([n], endpoints))
            foreach (var (chain, rule) in EndpointRules(n, e, "filter")) b.Append($"-A {chain} {rule}\n");
    }

    /// <summary>
    /// The one batch that adds (or deletes) a single container's rules, leaving everything else as
    /// it is: what a container start or stop costs, however many containers there are. The rules are
    /// the very lines <see cref="Batch"/> writes for it, appended where Batch puts them (after the
    /// network's own rules), so a host changed this way holds what a rebuild would write.
    /// </summary>
    public static string EndpointBatch(BridgeNetwork network, NetworkEndpoint endpoint, bool add)
    {
        var b = new StringBuilder();
        foreach (var table in new[] { "filter", "nat" })
        {
            b.Append($"*{table}\n");
            foreach (var (chain, rule) in EndpointRules(network, endpoint, table)) b.Append($"{(add ? "-A" : "-D")} {chain} {rule}\n");
            b.Append("COMMIT\n");
        }
        return b.ToString();
    }

    /// <summary>
    /// A container's own rules in one table, each port in turn: the per-network chain accepts the
    /// port from outside (filter); DNAT sends the host port to it, and Docker's hairpin MASQUERADE
    /// lets the container reach its own published port through the host's address (nat): without
    /// it the answer would come back from and to the container's own address and be dropped.
    /// An internal network has no way in from outside either, so its ports are never published.
    /// </summary>
    public static IEnumerable<(string Chain, string Rule)> EndpointRules(BridgeNetwork n, NetworkEndpoint e, string table)
    {
        if (n.Internal) yield break;
        foreach (var p in e.Ports)
        {
            var match = $"-p {p.Protocol} -m {p.Protocol} --dport";
            if (table == "filter")
            {
                yield return (NetworkChain(n.BridgeName), $"-d {e.Address}/32 ! -i {n.BridgeName} -o {n.BridgeName} {match} {p.ContainerPort} -j ACCEPT");
                continue;
            }
            yield return (Postrouting, $"-s {e.Address}/32 -d {e.Address}/32 {match} {p.ContainerPort} -j MASQUERADE");
            var destination = p.HostIp == "0.0.0.0" ? "" : $"-d {p.HostIp}/32 ";
            yield return (Dnat, $"{destination}{match} {p.HostPort} -j DNAT --to-destination {e.Address}:{p.ContainerPort}");
        }
    }

    // In the endpoints' order (the order they were added in), as appending one at a time leaves them.
    private static IEnumerable<(BridgeNetwork, NetworkEndpoint)> Attached(IReadOnlyList<BridgeNetwork> networks, IReadOnlyList<NetworkEndpoint> endpoints) =>
        from e in endpoints
        from n in networks where e.BridgeName == n.BridgeName
        select (n, e);

    // Jumps go in with -I 1, so the last one written ends up first: SKIFF-USER before SKIFF-FORWARD.
    private static void Jumps(StringBuilder b, SavedTables existing, string table, (string Chain, string Rule)[] jumps, bool active)
    {
        foreach (var (chain, rule) in jumps)
        {
            var present = existing.Has(table, chain, rule);
            // SKIFF-USER belongs to the user: its jump stays once made.
            if (active && !present) b.Append($"-I {chain} 1 {rule}\n");
            else if (!active && present && rule != $"-j {User}") b.Append($"-D {chain} {rule}\n");
        }
    }

    /// <summary>Just enough of iptables-save's output to know which chains and rules exist.</summary>
    private sealed class SavedTables
    {
        private readonly Dictionary<string, HashSet<string>> _chains = [];
        private readonly Dictionary<string, HashSet<string>> _rules = [];

        public static SavedTables Parse(string save)
        {
            var tables = new SavedTables();
            var table = "";
            foreach (var raw in save.Split('\n'))
            {
                var line = raw.Trim();
                if (line.StartsWith('*')) table = line[1..];
                else if (line.StartsWith(':')) Set(tables._chains, table).Add(line[1..].Split(' ')[0]);
                else if (line.StartsWith("-A ", StringComparison.Ordinal)) Set(tables._rules, table).Add(line[3..]);
            }
            return tables;
        }

        public IReadOnlySet<string> Chains(string table) => _chains.GetValueOrDefault(table) ?? [];

        public bool Has(string table, string chain, string rule) => _rules.GetValueOrDefault(table)?.Contains($"{chain} {rule}") == true;

        private static HashSet<string> Set(Dictionary<string, HashSet<string>> map, string table) =>
            map.TryGetValue(table, out var set) ? set : map[table] = [];
    }
}
