using System.Net;
using Skiff.Linux.Netlink;

namespace Skiff.Network;

/// <summary>
/// The kernel side of a network, behind one seam (netavark's <c>NetworkDriver</c>): the bridge
/// driver now, routed and cross-node drivers next. Records, addresses and rules are the caller's.
/// </summary>
public interface INetworkDriver
{
    /// <summary>Makes the network's device when missing; true when this call made it (a host that lost it lost its rules too).</summary>
    bool EnsureNetwork(BridgeNetwork network);

    /// <summary>Wires the container whose network namespace is <paramref name="pid"/>'s into the network.</summary>
    void Connect(BridgeNetwork network, int pid, string hostInterface, string containerInterface, IPAddress address);

    /// <summary>Takes away the container's interface holding <paramref name="address"/>; false when there is none.</summary>
    bool Disconnect(int pid, IPAddress address);

    /// <summary>Gives the container its default route through <paramref name="gateway"/> when it has none.</summary>
    void EnsureDefaultRoute(int pid, IPAddress gateway, IPAddress address);

    /// <summary>The name for the container's next interface (eth1, eth2...).</summary>
    string NextContainerInterface(int pid);

    /// <summary>Deletes a network device or a host-side interface; one already gone is fine.</summary>
    void RemoveLink(string name);

    /// <summary>The host's routes, which a new network's subnet must not overlap.</summary>
    IReadOnlyList<Route> HostRoutes();
}
