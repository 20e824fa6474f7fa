using System.Net;

namespace Skiff.Network.Cluster;

/// <summary>One route <c>SUBNET via GATEWAY</c> to a peer node's containers.</summary>
public sealed record PeerRoute(Ipv4Prefix Subnet, IPAddress Gateway)
{
    public override string ToString() => $"{Subnet} via {Gateway}";
}

/// <summary>The routes one reconciliation removes and adds.</summary>
public sealed record RoutePlan(IReadOnlyList<PeerRoute> Remove, IReadOnlyList<PeerRoute> Add)
{
    public bool IsEmpty => Remove.Count == 0 && Add.Count == 0;
}

/// <summary>
/// What the agent's route table should hold: exactly one route per live peer, none to itself.
/// Pure: the leases and the routes Skiff made (its own protocol number) in, the changes out; a
/// route whose peer moved to another address is removed and added again.
/// </summary>
public static class PeerRoutes
{
    public static IReadOnlyList<PeerRoute> Desired(IEnumerable<SubnetLease> leases, string self) =>
        leases.Where(l => l.Node != self).Select(l => new PeerRoute(l.Prefix, l.Gateway))
            .GroupBy(r => r.Subnet).Select(g => g.First()).ToList();

    public static RoutePlan Plan(IReadOnlyList<PeerRoute> desired, IReadOnlyList<PeerRoute> current)
    {
        var remove = current.Where(c => !desired.Contains(c)).ToList();
        // A second route to one subnet (two copies of a lease, a stale one) is removed too.
        remove.AddRange(current.Where(c => desired.Contains(c)).GroupBy(c => c).SelectMany(g => g.Skip(1)));
        var add = desired.Where(d => !current.Contains(d)).ToList();
        return new RoutePlan(remove, add);
    }

    /// <summary>
    /// Brings the table to <paramref name="desired"/>. A route the kernel refuses (another route to
    /// that subnet exists, the peer's address is not on a reachable network) is reported and the
    /// rest still applied; the next sync tries it again.
    /// </summary>
    public static RoutePlan Sync(IRouteTable table, IReadOnlyList<PeerRoute> desired, Action<string> report)
    {
        var plan = Plan(desired, table.Owned());
        foreach (var route in plan.Remove) Try(() => table.Remove(route), report);
        foreach (var route in plan.Add) Try(() => table.Add(route), report);
        return plan;
    }

    private static void Try(Action change, Action<string> report)
    {
        try
        {
            change();
        }
        catch (Linux.SyscallException e)
        {
            report(e.Message);
        }
    }
}
