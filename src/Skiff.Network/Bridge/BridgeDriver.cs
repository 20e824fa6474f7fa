using System.Net;
using Skiff.Linux;
using Skiff.Linux.Netlink;

namespace Skiff.Network.Bridge;

/// <summary>
/// The kernel side of a bridge network, all through rtnetlink: the bridge with the gateway
/// address, and per container a veth pair whose far end is created inside the container's network
/// namespace (eth0, eth1... one per network), with its address; the first network's gateway
/// carries the default route.
/// </summary>
public sealed class BridgeDriver : INetworkDriver
{
    private const int ENODEV = 19;

    /// <summary>
    /// Creates the bridge when missing (several commands may race to it), gives it the gateway
    /// address and brings it up. True when this call created it: a host that lost its bridges
    /// (a reboot) lost its rules too.
    /// </summary>
    public bool EnsureNetwork(BridgeNetwork network)
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

    /// <summary>
    /// Wires the container whose network namespace is <paramref name="pid"/>'s into the network as
    /// <paramref name="containerInterface"/> (eth0 at start, eth1... for a network connected later).
    /// The first network that has a way out gives the default route; later ones add only their subnet.
    /// </summary>
    public void Connect(BridgeNetwork network, int pid, string hostInterface, string containerInterface, IPAddress address)
    {
        var netnsPath = $"/proc/{pid}/ns/net";
        using (var netlink = new RouteNetlink())
        {
            var bridge = netlink.LinkIndex(network.BridgeName) ?? throw new InvalidOperationException($"bridge {network.BridgeName} is missing");
            using (var netns = File.OpenHandle(netnsPath, FileMode.Open, FileAccess.Read))
                netlink.Execute(RtnetlinkRequests.NewVeth(netlink.NextSequence(), hostInterface, containerInterface, (int)netns.DangerousGetHandle(), network.Mtu, MacAddressBytes(address)),
                    $"create veth {hostInterface} for process {pid}");
            netlink.Execute(RtnetlinkRequests.SetLink(netlink.NextSequence(), hostInterface, up: true, masterIndex: bridge),
                $"attach {hostInterface} to {network.BridgeName}");
            var port = netlink.LinkIndex(hostInterface) ?? throw new InvalidOperationException($"{hostInterface} vanished while being attached");
            netlink.Execute(RtnetlinkRequests.SetHairpin(netlink.NextSequence(), port), $"turn hairpin mode on for {hostInterface}");
        }
        using var inside = RouteNetlink.InNamespace(netnsPath);
        inside.Execute(RtnetlinkRequests.SetLink(inside.NextSequence(), "lo", up: true), "bring lo up in the container");
        var index = inside.LinkIndex(containerInterface) ?? throw new InvalidOperationException($"{containerInterface} did not arrive in the container's namespace");
        inside.Execute(RtnetlinkRequests.NewAddress(inside.NextSequence(), index, address, network.Subnet.Length), $"add {address}/{network.Subnet.Length} to the container's {containerInterface}");
        inside.Execute(RtnetlinkRequests.SetLink(inside.NextSequence(), containerInterface, up: true), $"bring the container's {containerInterface} up");
        // An internal network has no way out, so it gets no default route either (as in Docker).
        if (!network.Internal) EnsureDefaultRoute(inside, network.Gateway, index);
    }

    /// <summary>
    /// After the network that gave the default route is disconnected: the route via the gateway of
    /// the network where the container holds <paramref name="address"/>, as Docker moves it.
    /// </summary>
    public void EnsureDefaultRoute(int pid, IPAddress gateway, IPAddress address)
    {
        using var inside = RouteNetlink.InNamespace($"/proc/{pid}/ns/net");
        if (inside.Addresses().FirstOrDefault(a => a.Address.Equals(address)) is { } held) EnsureDefaultRoute(inside, gateway, held.InterfaceIndex);
    }

    private static void EnsureDefaultRoute(RouteNetlink inside, IPAddress gateway, int interfaceIndex)
    {
        if (!inside.Routes().Any(r => r.Table == RouteTables.Main && r.Destination is null))
            inside.Execute(RtnetlinkRequests.NewRoute(inside.NextSequence(), null, 0, gateway, interfaceIndex), $"add the container's default route via {gateway}");
    }

    /// <summary>The lowest ethN the container's namespace does not have yet: the name of its next network's interface.</summary>
    public string NextContainerInterface(int pid)
    {
        using var inside = RouteNetlink.InNamespace($"/proc/{pid}/ns/net");
        var names = inside.Links().Select(l => l.Name).ToHashSet();
        return Enumerable.Range(0, 1000).Select(n => $"eth{n}").First(n => !names.Contains(n));
    }

    /// <summary>
    /// Takes the container's interface that holds <paramref name="address"/> away (its veth peer on
    /// the bridge goes with it). False when there is none.
    /// </summary>
    public bool Disconnect(int pid, IPAddress address)
    {
        using var inside = RouteNetlink.InNamespace($"/proc/{pid}/ns/net");
        if (inside.Addresses().FirstOrDefault(a => a.Address.Equals(address)) is not { } held) return false;
        var name = inside.Links().First(l => l.Index == held.InterfaceIndex).Name;
        inside.Execute(RtnetlinkRequests.DeleteLink(inside.NextSequence(), name), $"delete the container's {name}");
        return true;
    }

    /// <summary>The host end of a container's veth on a bridge (named veth + the id's first 8 characters), or null.</summary>
    public static string? HostInterface(string bridge, string containerId)
    {
        using var netlink = new RouteNetlink();
        var links = netlink.Links();
        var index = links.FirstOrDefault(l => l.Name == bridge)?.Index;
        return links.FirstOrDefault(l => index is not null && l.MasterIndex == index && l.Name.StartsWith($"veth{containerId[..8]}", StringComparison.Ordinal))?.Name;
    }

    /// <summary>
    /// Docker's MAC for a container address, 02:42 and the address's four bytes: locally
    /// administered, unique on the bridge because the address is, and known without asking the kernel.
    /// </summary>
    public static string MacAddress(IPAddress address) => string.Join(':', MacAddressBytes(address).Select(b => b.ToString("x2")));

    private static byte[] MacAddressBytes(IPAddress address) => [0x02, 0x42, .. address.GetAddressBytes()];

    /// <summary>Deletes a bridge or veth; one that is already gone is fine.</summary>
    public void RemoveLink(string name)
    {
        using var netlink = new RouteNetlink();
        try
        {
            netlink.Execute(RtnetlinkRequests.DeleteLink(netlink.NextSequence(), name), $"delete link {name}");
        }
        catch (SyscallException e) when (e.Errno == ENODEV)
        {
        }
    }

    public IReadOnlyList<Linux.Netlink.Route> HostRoutes()
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
