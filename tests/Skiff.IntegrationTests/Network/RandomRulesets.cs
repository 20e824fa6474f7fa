using System.Text;

namespace Skiff.IntegrationTests.Network;

/// <summary>
/// Seeded random rulesets from the grammar the tracer supports, valid for iptables-restore:
/// options only where the kernel accepts them (no -i on output hooks, no -o on input hooks,
/// NAT targets on their hooks), and user chains that are each owned by one built-in chain and
/// jump only "forward", so there are no loops.
/// </summary>
public sealed class RandomRulesets(int seed)
{
    private static readonly Dictionary<string, string[]> Builtins = new()
    {
        ["raw"] = ["PREROUTING", "OUTPUT"],
        ["mangle"] = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
        ["nat"] = ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
        ["filter"] = ["INPUT", "FORWARD", "OUTPUT"],
    };
    private static readonly string[] Prefixes = ["172.30.0.0/16", "172.30.0.2/32", "172.30.0.4/32", "198.51.100.0/24", "198.51.100.2/32", "198.51.100.1/32", "172.30.0.1/32", "10.0.0.0/8"];
    private static readonly string[] InterfaceNames = [NetnsTopology.Bridge, NetnsTopology.Uplink, "skiff+", "up+", "lo", "eth0"];
    private static readonly string[] PortRanges = ["53", "80", "443", "5000:6000", "1:1024", "8080", "20000:40000", "40001:65535"];
    private static readonly string[] DnatTargets = ["172.30.0.2", "172.30.0.4", "198.51.100.2"];

    private readonly Random _random = new(seed);

    public string Next()
    {
        var text = new StringBuilder();
        foreach (var (table, builtins) in Builtins)
        {
            // Each user chain belongs to one built-in chain, which decides which options its rules may use.
            var userChains = Enumerable.Range(1, _random.Next(0, 4)).Select(i => (Name: $"U{i}", Owner: Pick(builtins))).ToList();
            text.Append('*').Append(table).Append('\n');
            foreach (var chain in builtins)
                text.Append($":{chain} {(table == "filter" && _random.Next(3) == 0 ? "DROP" : "ACCEPT")} [0:0]\n");
            foreach (var user in userChains) text.Append($":{user.Name} - [0:0]\n");
            foreach (var chain in builtins.Concat(userChains.Select(u => u.Name)))
            {
                var owner = userChains.FirstOrDefault(u => u.Name == chain).Owner ?? chain;
                var reachable = userChains.Where(u => u.Owner == owner && string.CompareOrdinal(u.Name, chain) > 0 || u.Owner == owner && builtins.Contains(chain)).Select(u => u.Name).Distinct().ToList();
                for (var r = _random.Next(0, 6); r > 0; r--) text.Append(Rule(table, chain, owner, reachable)).Append('\n');
            }
            text.Append("COMMIT\n");
        }
        return text.ToString();
    }

    private string Rule(string table, string chain, string hook, List<string> jumpable)
    {
        var parts = new List<string> { $"-A {chain}" };
        if (Chance(3)) parts.Add($"{Not()}-s {Pick(Prefixes)}");
        if (Chance(3)) parts.Add($"{Not()}-d {Pick(Prefixes)}");
        if (hook is "PREROUTING" or "INPUT" or "FORWARD" && Chance(3)) parts.Add($"{Not()}-i {Pick(InterfaceNames)}");
        if (hook is "OUTPUT" or "POSTROUTING" or "FORWARD" && Chance(3)) parts.Add($"{Not()}-o {Pick(InterfaceNames)}");
        var protocol = _random.Next(5) switch { 0 => "tcp", 1 or 2 => "udp", 3 => "icmp", _ => null };
        if (protocol is not null)
        {
            parts.Add($"-p {protocol}");
            if (protocol != "icmp")
            {
                if (Chance(2)) parts.Add($"-m {protocol} {Not()}--dport {Pick(PortRanges)}");
                if (Chance(4)) parts.Add($"-m {protocol} {Not()}--sport {Pick(PortRanges)}");
                if (Chance(5)) parts.Add($"-m multiport {Not()}--{Pick(["dports", "sports", "ports"])} {Pick(PortRanges)},{Pick(PortRanges)}");
            }
            else if (Chance(2)) parts.Add($"-m icmp {Not()}--icmp-type {Pick(["echo-request", "8", "0", "3/3", "any"])}");
        }
        if (Chance(5)) parts.Add(_random.Next(2) == 0
            ? $"-m conntrack {Not()}--ctstate {Pick(["NEW", "ESTABLISHED,RELATED", "INVALID", "NEW,ESTABLISHED", "DNAT", "UNTRACKED"])}"
            : $"-m state {Not()}--state {Pick(["NEW", "RELATED,ESTABLISHED", "INVALID"])}");
        if (Chance(5)) parts.Add($"-m addrtype {Not()}--{Pick(["dst-type", "src-type"])} {Pick(["LOCAL", "UNICAST", "BROADCAST,MULTICAST", "LOCAL,UNICAST"])}");
        if (Chance(8)) parts.Add($"-m comment --comment \"rule {_random.Next(100)}\"");
        if (Chance(6)) parts.Add($"-m mark {Not()}--mark {Pick(["0x1", "0x1/0x1", "0x0/0xff", "0x2"])}");
        if (Chance(5)) parts.Add(PhysDev(hook));
        parts.Add(Target(table, hook, jumpable, protocol));
        return string.Join(' ', parts.Where(p => p.Length > 0));
    }

    private string PhysDev(string hook)
    {
        var options = new List<string>();
        if (hook is "PREROUTING" or "INPUT" or "FORWARD" && Chance(2)) options.Add($"{Not()}--physdev-in {Pick(["vc1", "vc2", "vc+"])}");
        if (hook is "FORWARD" or "POSTROUTING" && Chance(2)) options.Add($"{Not()}--physdev-out {Pick(["vc1", "vc2", "vc+"])} --physdev-is-bridged");
        if (Chance(3)) options.Add($"{Not()}--physdev-is-in");
        return options.Count == 0 ? "" : "-m physdev " + string.Join(' ', options);
    }

    private string Target(string table, string hook, List<string> jumpable, string? protocol)
    {
        var choices = new List<string> { "-j ACCEPT", "-j RETURN", "" };
        if (jumpable.Count > 0) { choices.Add($"-j {Pick(jumpable)}"); choices.Add($"-j {Pick(jumpable)}"); choices.Add($"-g {Pick(jumpable)}"); }
        switch (table)
        {
            case "filter":
                choices.AddRange(["-j DROP", "-j DROP", "-j REJECT", "-j LOG --log-prefix \"trace \""]);
                break;
            case "raw":
                choices.Add("-j DROP");
                break;
            case "mangle":
                choices.AddRange(["-j DROP", "-j MARK --set-xmark 0x1/0xffffffff", "-j MARK --set-mark 0x2", "-j MARK --or-mark 0x1"]);
                break;
            case "nat":
                var port = protocol is "tcp" or "udp" ? $":{Pick(["53", "80", "5353"])}" : "";
                if (hook is "PREROUTING" or "OUTPUT")
                {
                    choices.Add($"-j DNAT --to-destination {Pick(DnatTargets)}{port}");
                    choices.Add($"-j DNAT --to-destination {Pick(DnatTargets)}{port}");
                    if (protocol == "udp") choices.Add("-j REDIRECT --to-ports 5353");
                }
                else
                {
                    choices.Add($"-j SNAT --to-source {Pick(["198.51.100.1", "172.30.0.1", "203.0.113.7"])}{port}");
                    if (hook == "POSTROUTING") choices.Add("-j MASQUERADE");
                }
                break;
        }
        return Pick(choices);
    }

    private bool Chance(int oneIn) => _random.Next(oneIn) == 0;
    private string Not() => _random.Next(4) == 0 ? "! " : "";
    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>Packets that cover the notes' directions, with fresh source ports so no two share a conntrack entry.</summary>
    public List<ProbePacket> Packets(NetnsTopology t, ref int nextPort)
    {
        var packets = new List<ProbePacket>();
        for (var i = 0; i < 6; i++)
        {
            var (ns, from, source) = Pick<(string, string, System.Net.IPAddress)>([
                (t.C1, "172.30.0.2", NetnsTopology.Container1), (t.C2, "172.30.0.4", NetnsTopology.Container2),
                (t.Out, "198.51.100.2", NetnsTopology.Outside), (t.Host, "host", NetnsTopology.BridgeAddress)]);
            var targets = new List<System.Net.IPAddress> { NetnsTopology.Container1, NetnsTopology.Container2, NetnsTopology.Outside, NetnsTopology.BridgeAddress, NetnsTopology.UplinkAddress }
                .Where(d => !d.Equals(source) && !(ns == t.Host && (d.Equals(NetnsTopology.BridgeAddress) || d.Equals(NetnsTopology.UplinkAddress)))).ToList();
            var destination = Pick(targets);
            if (ns == t.Host) source = destination.Equals(NetnsTopology.Outside) ? NetnsTopology.UplinkAddress : NetnsTopology.BridgeAddress;
            var hostIsDestination = destination.Equals(NetnsTopology.BridgeAddress) || destination.Equals(NetnsTopology.UplinkAddress);
            // TCP to the host itself would be answered (RST or SYN-ACK) through the host's own rules: keep TCP for forwarded paths.
            var protocol = Pick(hostIsDestination ? ["udp", "udp", "icmp"] : new[] { "udp", "udp", "icmp", "tcp" });
            packets.Add(new ProbePacket(ns, from, source, destination, protocol, nextPort++, Pick(NetnsTopology.HostUdpPorts)));
        }
        return packets;
    }
}
