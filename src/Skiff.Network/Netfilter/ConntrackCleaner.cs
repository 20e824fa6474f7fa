using System.Net;
using Skiff.Linux;
using Skiff.Linux.Netlink;

namespace Skiff.Network.Netfilter;

/// <summary>
/// Forgets the connections the kernel tracks for a container's address and published ports. NAT is
/// decided on a connection's first packet and then read from its conntrack entry, so a changed rule
/// does not reach a connection already tracked (the cross-node note's "a new rule may not take
/// effect at once"): a UDP client that kept sending to a port before it was published, or to a
/// container that is gone, would stay on its old mapping for as long as it keeps sending.
/// </summary>
public sealed class ConntrackCleaner : IConnectionTracker
{
    private const byte Udp = 17;

    /// <summary>
    /// Every connection to, from or NATed to the address, and for UDP every one to a published host
    /// port (Docker does the same for UDP: TCP clients open new connections, with new entries).
    /// </summary>
    public static bool Concerns(ConntrackFlow flow, IPAddress address, IReadOnlyList<PortBinding> ports) =>
        flow.OriginalSource.Equals(address) || flow.OriginalDestination.Equals(address) || flow.ReplySource.Equals(address)
        || ports.Any(p => p.Protocol == "udp" && flow.Protocol == Udp && flow.OriginalDestinationPort == p.HostPort
                          && (p.HostIp == "0.0.0.0" || flow.OriginalDestination.ToString() == p.HostIp));

    /// <summary>Deletes those entries from the calling thread's namespace; the number deleted.</summary>
    public int Forget(IPAddress address, IReadOnlyList<PortBinding> ports)
    {
        using var conntrack = new ConntrackNetlink();
        IReadOnlyList<ConntrackFlow> flows;
        try
        {
            flows = conntrack.Flows();
        }
        // Without connection tracking in the kernel (nf_conntrack_netlink absent) nothing is tracked to forget.
        catch (SyscallException)
        {
            return 0;
        }
        var stale = flows.Where(f => Concerns(f, address, ports)).ToList();
        foreach (var flow in stale) conntrack.Delete(flow);
        return stale.Count;
    }
}
