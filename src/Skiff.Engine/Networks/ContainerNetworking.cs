using Skiff.Engine.Containers;
using Skiff.Network.Bridge;
using Skiff.Network.Ipam;
using Skiff.Network.Netfilter;

namespace Skiff.Engine.Networks;

/// <summary>Docker's <c>network create</c> options that Skiff takes.</summary>
public sealed record NetworkCreateRequest(string Name, string? Subnet = null, string? Gateway = null, bool Internal = false, bool InterContainer = true, int? Mtu = null, string? IpRange = null);

/// <summary>
/// Bridge networks for containers: records (<see cref="NetworkStore"/>), the kernel's bridges and
/// veths (<see cref="BridgeDriver"/>) and the rules (<see cref="RuleApplier"/>). Rules are always
/// rewritten from the records under one lock file, so concurrent commands apply them in turn.
/// </summary>
public sealed class ContainerNetworking(NetworkStore store, string stateRoot)
{
    /// <summary>The default network, as Docker's "bridge" on docker0.</summary>
    public const string DefaultName = "bridge", DefaultBridge = "skiff0";

    // Tried in order for the default network: the first that overlaps no route and no network wins.
    private static readonly string[] DefaultSubnets = ["172.29.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "10.229.0.0/16", "192.168.229.0/24"];

    public NetworkStore Store => store;

    public NetworkRecord Create(NetworkCreateRequest request)
    {
        if (request.Name is DefaultName or "host" or "none")
            throw new ArgumentException($"network name {request.Name} is reserved: choose another name");
        return Insert(request, bridge: null);
    }

    private NetworkRecord Insert(NetworkCreateRequest request, string? bridge)
    {
        if (request.Gateway is not null && request.Subnet is null)
            throw new ArgumentException("--gateway needs --subnet");
        // Docker's pools for user networks: 172.17-31.0.0/16, then 192.168.x.0/24.
        var subnet = request.Subnet is { } s ? Ipv4Prefix.Parse(s)
            : FreeSubnet([.. Enumerable.Range(18, 14).Select(i => $"172.{i}.0.0/16"), .. Enumerable.Range(0, 256).Select(i => $"192.168.{i}.0/24")]);
        var gateway = request.Gateway is { } g ? Ipv4Prefix.ToAddress(Ipv4Prefix.ParseAddress(g)) : AddressPool.DefaultGateway(subnet);
        if (request.IpRange is not null && request.Subnet is null)
            throw new ArgumentException("--ip-range needs --subnet");
        var record = store.Insert(request.Name, bridge, subnet, gateway, request.Internal, request.InterContainer, request.Mtu,
            request.IpRange is { } range ? Ipv4Prefix.Parse(range) : null);
        try
        {
            BridgeDriver.EnsureBridge(record.ToBridge());
            ApplyRules();
            return record;
        }
        catch
        {
            store.Delete(record);
            BridgeDriver.RemoveLink(record.Bridge);
            throw;
        }
    }

    public void Remove(string reference)
    {
        var network = store.Find(reference);
        store.Delete(network);
        BridgeDriver.RemoveLink(network.Bridge);
        ApplyRules();
    }

    /// <summary>
    /// Removes the user-defined networks that no container has an address on or names in its
    /// settings (a stopped one too: it would not start again). Never the default network.
    /// </summary>
    public IReadOnlyList<string> Prune(IReadOnlySet<string> referenced)
    {
        var removed = new List<string>();
        foreach (var network in store.List().Where(n => n.Name != DefaultName && !referenced.Contains(n.Name)))
        {
            try
            {
                Remove(network.Name);
                removed.Add(network.Name);
            }
            // A container took an address on it meanwhile: it is in use after all.
            catch (State.ConflictException)
            {
            }
        }
        return removed;
    }

    /// <summary>The bridge networks a container joins, in order (none at all once disconnected from every one).</summary>
    public static IReadOnlyList<NetworkAttachment> Attachments(RunRequest request) =>
        request.Network == NetworkMode.Bridge ? request.Networks : [];

    /// <summary>A network by name; the default one is created on first use.</summary>
    public NetworkRecord Resolve(string name)
    {
        if (store.TryFind(name) is { } found) return found;
        if (name != DefaultName) throw new NoSuchNetworkException(name);
        try
        {
            return Insert(new NetworkCreateRequest(DefaultName, FreeSubnet(DefaultSubnets).ToString()), DefaultBridge);
        }
        // Another run created it at the same moment.
        catch (State.ConflictException) when (store.TryFind(DefaultName) is not null)
        {
            return store.Find(DefaultName);
        }
    }

    /// <summary>
    /// Runs between the spawn of the container's init (in its new network namespace) and the spec
    /// it waits for: per network an address, the veth pair (eth0, eth1...), then the rules with the
    /// new endpoints. Published ports go to the first network, the one with the default route.
    /// </summary>
    public void Connect(string containerId, RunRequest request, int initPid)
    {
        var attachments = Attachments(request);
        try
        {
            var rulesChanged = false;
            for (var i = 0; i < attachments.Count; i++)
                rulesChanged |= Attach(containerId, attachments[i], i == 0 ? request.Publish : [], initPid, $"eth{i}");
            // A container's own rules are its published ports; the network's rules are in place
            // since its creation, unless its bridge had to be made again. So a run without -p
            // costs no iptables process, however many containers there are.
            if (rulesChanged) ApplyRules();
        }
        catch
        {
            Disconnect(containerId);
            throw;
        }
    }

    /// <summary><c>network connect</c> on a running container: one more interface in its namespace, or nothing at all if that fails.</summary>
    public void ConnectRunning(string containerId, int pid, NetworkAttachment attachment)
    {
        if (Attach(containerId, attachment, [], pid, BridgeDriver.NextContainerInterface(pid))) ApplyRules();
    }

    /// <summary>
    /// <c>network disconnect</c> on a running container: its interface on that network goes, and its
    /// address. If the default route went with it, the first of <paramref name="remaining"/> with a way out gives it.
    /// </summary>
    public void DisconnectRunning(string containerId, int pid, string network, IReadOnlyList<NetworkAttachment> remaining)
    {
        var held = store.Allocations().Where(a => a.ContainerId == containerId).ToList();
        if (held.FirstOrDefault(a => a.Network == network) is { } leaving)
            BridgeDriver.Disconnect(pid, leaving.Address);
        if (store.Release(containerId, network).Any(a => a.Ports.Count > 0)) ApplyRules();
        var networks = store.List().ToDictionary(n => n.Name);
        var next = remaining.Select(r => held.FirstOrDefault(a => a.Network == r.Network && networks.TryGetValue(a.Network, out var n) && !n.Internal)).OfType<NetworkAllocation>().FirstOrDefault();
        if (next is not null) BridgeDriver.EnsureDefaultRoute(pid, networks[next.Network].Gateway, next.Address);
    }

    /// <summary>An address and a veth on one network; true when the rules must be written again. A failure leaves neither behind.</summary>
    private bool Attach(string containerId, NetworkAttachment attachment, IReadOnlyList<PortBinding> ports, int pid, string containerInterface)
    {
        var network = Resolve(attachment.Network);
        var address = store.Allocate(network.Name, containerId, ports, attachment.Address is { } a ? Ipv4Prefix.ToAddress(Ipv4Prefix.ParseAddress(a)) : null);
        // The host end is named after the container and its interface: veth1a2b3c4d for eth0, veth1a2b3c4d1 for eth1.
        var hostInterface = $"veth{containerId[..8]}{(containerInterface == "eth0" ? "" : containerInterface[3..])}";
        try
        {
            var recreated = BridgeDriver.EnsureBridge(network.ToBridge());
            BridgeDriver.Connect(network.ToBridge(), pid, hostInterface, containerInterface, address);
            return recreated || ports.Count > 0;
        }
        catch
        {
            BridgeDriver.RemoveLink(hostInterface);
            store.Release(containerId, network.Name);
            throw;
        }
    }

    /// <summary>Releases the container's addresses and takes its rules away; its veth died with its namespace.</summary>
    public void Disconnect(string containerId)
    {
        if (store.Release(containerId).Any(a => a.Ports.Count > 0)) ApplyRules();
    }

    /// <summary>Rewrites every Skiff rule from the records (read under the lock, so the newest records win).</summary>
    public void ApplyRules()
    {
        using var held = HoldLock();
        var networks = store.List();
        var byName = networks.ToDictionary(n => n.Name);
        var endpoints = store.Allocations()
            .Select(a => new NetworkEndpoint(byName[a.Network].Bridge, a.Address, a.Ports)).ToList();
        RuleApplier.Apply(networks.Select(n => n.ToBridge()).ToList(), endpoints);
    }

    private FileStream HoldLock() => State.FileLock.Hold(Path.Join(stateRoot, "netfilter.lock"));

    private Ipv4Prefix FreeSubnet(IEnumerable<string> candidates)
    {
        var taken = store.List().Select(n => n.Subnet)
            .Concat(BridgeDriver.HostRoutes().Where(r => r.Destination is { } d && d.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && r.Table == Linux.Netlink.RouteTables.Main)
                .Select(r => Ipv4Prefix.Parse($"{r.Destination}/{r.PrefixLength}")))
            .ToList();
        foreach (var candidate in candidates.Select(Ipv4Prefix.Parse))
            if (!taken.Any(t => AddressPool.Overlap(t, candidate))) return candidate;
        throw new InvalidOperationException("no free subnet left for a new network: give one with --subnet");
    }
}
