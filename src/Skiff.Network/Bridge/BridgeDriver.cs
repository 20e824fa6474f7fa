using System.Net;
using Skiff.Linux;
using Skiff.Linux.Netlink;

namespace Skiff.Network.Bridge;

/// <summary>
/// The kernel side of a bridge network, all through rtnetlink: the bridge with the gateway
/// address, and per container a veth pair whose far end is created inside the container's network
/// namespace as eth0, with its address and a default route via the gateway.
/// </summary>
public static class BridgeDriver
{
    public const string ContainerInterface = "eth0";
    private const int ENODEV = 19;

    /// <summary>
    /// Creates the bridge when missing (several commands may race to it), gives it the gateway
    /// address and brings it up. True when this call created it: a host that lost its bridges
    /// (a reboot) lost its rules too.
    /// </summary>
    public static bool EnsureBridge(BridgeNetwork network)
    {
        EnableForwarding();
        using var netlink = new RouteNetlink();
        var created = IgnoreExists(() => netlink.Execute(RtnetlinkRequests.NewBridge(netlink.NextSequence(), network.BridgeName, network.Mtu), $"create bridge {network.BridgeName}"));
        var index = netlink.LinkIndex(network.BridgeName) ?? throw new InvalidOperationException($"bridge {network.BridgeName} vanished while being set up");
        IgnoreExists(() => netlink.Execute(RtnetlinkRequests.NewAddress(netlink.NextSequence(), index, network.Gateway, network.Subnet.Length),
            $"add {network.Gateway}/{network.Subnet.Length} to {network.BridgeName}"));
        netlink.Execute(RtnetlinkRequests.SetLink(netlink.NextSequence(), network.BridgeName, up: true), $"bring {network.BridgeName} up");
        // DNAT of the host's own connections to 127.0.0.1 sends loopback-sourced packets out of the
        // bridge; the kernel drops those as martians unless the bridge allows it.
        Sysctl($"net/ipv4/conf/{network.BridgeName}/route_localnet", "1");
        return created;
    }

    /// <summary>Wires the container whose init is <paramref name="pid"/> (still waiting for its spec) into the network.</summary>
    public static void Connect(BridgeNetwork network, int pid, string hostInterface, IPAddress address)
    {
        var netnsPath = $"/proc/{pid}/ns/net";
        using (var netlink = new RouteNetlink())
        {
            var bridge = netlink.LinkIndex(network.BridgeName) ?? throw new InvalidOperationException($"bridge {network.BridgeName} is missing");
            using (var netns = File.OpenHandle(netnsPath, FileMode.Open, FileAccess.Read))
                netlink.Execute(RtnetlinkRequests.NewVeth(netlink.NextSequence(), hostInterface, ContainerInterface, (int)netns.DangerousGetHandle(), network.Mtu),
                    $"create veth {hostInterface} for process {pid}");
            netlink.Execute(RtnetlinkRequests.SetLink(netlink.NextSequence(), hostInterface, up: true, masterIndex: bridge),
                $"attach {hostInterface} to {network.BridgeName}");
            var port = netlink.LinkIndex(hostInterface) ?? throw new InvalidOperationException($"{hostInterface} vanished while being attached");
            netlink.Execute(RtnetlinkRequests.SetHairpin(netlink.NextSequence(), port), $"turn hairpin mode on for {hostInterface}");
        }
        using var inside = RouteNetlink.InNamespace(netnsPath);
        inside.Execute(RtnetlinkRequests.SetLink(inside.NextSequence(), "lo", up: true), "bring lo up in the container");
        var eth0 = inside.LinkIndex(ContainerInterface) ?? throw new InvalidOperationException($"{ContainerInterface} did not arrive in the container's namespace");
        inside.Execute(RtnetlinkRequests.NewAddress(inside.NextSequence(), eth0, address, network.Subnet.Length), $"add {address}/{network.Subnet.Length} to the container's eth0");
        inside.Execute(RtnetlinkRequests.SetLink(inside.NextSequence(), ContainerInterface, up: true), "bring the container's eth0 up");
        // An internal network has no way out, so it gets no default route either (as in Docker).
        if (!network.Internal)
            inside.Execute(RtnetlinkRequests.NewRoute(inside.NextSequence(), null, 0, network.Gateway, eth0), $"add the container's default route via {network.Gateway}");
    }

    public static void RemoveBridge(string name)
    {
        using var netlink = new RouteNetlink();
        try
        {
            netlink.Execute(RtnetlinkRequests.DeleteLink(netlink.NextSequence(), name), $"delete bridge {name}");
        }
        catch (SyscallException e) when (e.Errno == ENODEV)
        {
        }
    }

    public static IReadOnlyList<Linux.Netlink.Route> HostRoutes()
    {
        using var netlink = new RouteNetlink();
        return netlink.Routes();
    }

    /// <summary>
    /// Routing between the bridge and other interfaces needs ip_forward; icc=false and the
    /// isolation rules need bridged packets to pass iptables (bridge-nf-call-iptables). Both are
    /// per network namespace, so this changes only the namespace Skiff runs in.
    /// </summary>
    private static void EnableForwarding()
    {
        Sysctl("net/ipv4/ip_forward", "1");
        if (File.Exists("/proc/sys/net/bridge/bridge-nf-call-iptables")) Sysctl("net/bridge/bridge-nf-call-iptables", "1");
    }

    private static void Sysctl(string key, string value)
    {
        var path = $"/proc/sys/{key}";
        if (File.ReadAllText(path).Trim() != value) File.WriteAllText(path, value);
    }

    /// <summary>False when the kernel already had it.</summary>
    private static bool IgnoreExists(Action change)
    {
        try
        {
            change();
            return true;
        }
        catch (SyscallException e) when (e.Errno == Errno.EEXIST)
        {
            return false;
        }
    }
}
