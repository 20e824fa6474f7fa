using Skiff.Network;
using Skiff.Network.Bridge;
using Skiff.Network.HostState;
using Skiff.Network.Ipam;
using Skiff.Network.Netfilter;
using Skiff.Network.Ports;
using Skiff.Network.Trace;
using Skiff.Linux;

namespace Skiff.Engine.Networks;

/// <summary>Docker's <c>network create</c> options that Skiff takes.</summary>
public sealed record NetworkCreateRequest(string Name, string? Subnet = null, string? Gateway = null, bool Internal = false, bool InterContainer = true, int? Mtu = null, string? IpRange = null);

/// <summary>
/// Bridge networks for containers: records (<see cref="NetworkStore"/>), the kernel's bridges and
/// veths (<see cref="INetworkDriver"/>), the rules (<see cref="IFirewall"/>), tracked connections
/// (<see cref="IConnectionTracker"/>) and host ports (<see cref="HostPortChooser"/>), all handed in
/// so that the locking, rollback and rebuild decisions here are unit-tested with fakes. Every rule
/// change happens under one lock file, so concurrent commands apply them in turn: a network's
/// creation or removal rewrites all rules from the records, a container's start or stop only its own.
/// </summary>
public sealed class ContainerNetworking(NetworkStore store, string stateRoot, INetworkDriver driver, IFirewall firewall, IConnectionTracker conntrack, HostPortChooser ports)
{
    /// <summary>The default network, as Docker's "bridge" on docker0.</summary>
    public const string DefaultName = "bridge", DefaultBridge = "skiff0";

    // Tried in order for the default network: the first that overlaps no route and no network wins.
    private static readonly string[] DefaultSubnets = ["172.29.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "10.229.0.0/16", "192.168.229.0/24"];

    public NetworkStore Store => store;

    /// <summary>The host's own kernel: the bridge driver, iptables with the backend this state root last wrote with, conntrack.</summary>
    public static ContainerNetworking ForHost(NetworkStore store, string stateRoot) =>
        new(store, stateRoot, new BridgeDriver(), new IptablesFirewall(Path.Join(stateRoot, "netfilter.backend")), new ConntrackCleaner(), HostPortChooser.ForHost());

    /// <summary>Traces packets through one reading of the host: its links, routes, conntrack and the rules Skiff writes.</summary>
    public IReadOnlyList<TraceResult> Trace(IReadOnlyList<TraceRequest> requests)
    {
        var tracer = new PacketTracer(LiveHostState.Read(firewall));
        return requests.Select(tracer.Trace).ToList();
    }

    public NetworkRecord Create(NetworkCreateRequest request)
    {
        if (request.Name is DefaultName or "host" or "none")
            throw new InvalidInputException($"network name {request.Name} is reserved: choose another name");
        return Insert(request, bridge: null);
    }

    private NetworkRecord Insert(NetworkCreateRequest request, string? bridge)
    {
        if (request.Gateway is not null && request.Subnet is null)
            throw new InvalidInputException("--gateway needs --subnet");
        // Docker's pools for user networks: 172.17-31.0.0/16, then 192.168.x.0/24.
        var subnet = request.Subnet is { } s ? Ipv4Prefix.Parse(s)
            : FreeSubnet([.. Enumerable.Range(18, 14).Select(i => $"172.{i}.0.0/16"), .. Enumerable.Range(0, 256).Select(i => $"192.168.{i}.0/24")]);
        var gateway = request.Gateway is { } g ? Ipv4Prefix.ToAddress(Ipv4Prefix.ParseAddress(g)) : AddressPool.DefaultGateway(subnet);
        if (request.IpRange is not null && request.Subnet is null)
            throw new InvalidInputException("--ip-range needs --subnet");
        var record = store.Insert(request.Name, bridge, subnet, gateway, request.Internal, request.InterContainer, request.Mtu,
            request.IpRange is { } range ? Ipv4Prefix.Parse(range) : null);
        try
        {
            driver.EnsureNetwork(record.ToBridge());
            ApplyRules();
            return record;
        }
        catch
        {
            store.Delete(record);
            driver.RemoveLink(record.Bridge);
            throw;
        }
    }

    public void Remove(string reference)
    {
        var network = store.Find(reference);
        store.Delete(network);
        driver.RemoveLink(network.Bridge);
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
    /// it waits for: per network an address, the veth pair (eth0, eth1...) and the endpoint's rules.
    /// Published ports go to the first network, the one with the default route.
    /// </summary>
    public void Connect(string containerId, RunRequest request, int initPid)
    {
        var attachments = Attachments(request);
        try
        {
            for (var i = 0; i < attachments.Count; i++)
                Attach(containerId, attachments[i], i == 0 ? request.Publish : [], initPid, $"eth{i}");
        }
        catch
        {
            Disconnect(containerId);
            throw;
        }
    }

    /// <summary><c>network connect</c> on a running container: one more interface in its namespace, or nothing at all if that fails.</summary>
    public void ConnectRunning(string containerId, int pid, NetworkAttachment attachment) =>
        Attach(containerId, attachment, [], pid, driver.NextContainerInterface(pid));

    /// <summary>
    /// <c>network disconnect</c> on a running container: its interface on that network goes, then
    /// its rules and address there. If the default route went with it, the first of
    /// <paramref name="remaining"/> with a way out gives it.
    /// </summary>
    public void DisconnectRunning(string containerId, int pid, string network, IReadOnlyList<NetworkAttachment> remaining)
    {
        var held = store.Allocations().Where(a => a.ContainerId == containerId).ToList();
        if (held.FirstOrDefault(a => a.Network == network) is { } leaving)
            driver.Disconnect(pid, leaving.Address);
        Disconnect(containerId, network);
        var networks = store.List().ToDictionary(n => n.Name);
        var next = remaining.Select(r => held.FirstOrDefault(a => a.Network == r.Network && networks.TryGetValue(a.Network, out var n) && !n.Internal)).OfType<NetworkAllocation>().FirstOrDefault();
        if (next is not null) driver.EnsureDefaultRoute(pid, networks[next.Network].Gateway, next.Address);
    }

    /// <summary>
    /// An address (and host ports), the endpoint's rules, then a veth on one network. The address and
    /// ports are chosen and the rules added under the netfilter lock, so rules always follow the
    /// records' order and a rebuild can never see a record whose rules are about to be appended (it
    /// would double them). A port that is taken fails before anything is wired; any failure leaves
    /// nothing behind on this network.
    /// </summary>
    private void Attach(string containerId, NetworkAttachment attachment, IReadOnlyList<PortRequest> publish, int pid, string containerInterface)
    {
        var network = Resolve(attachment.Network);
        var bridge = network.ToBridge();
        var recreated = driver.EnsureNetwork(bridge);
        var requested = attachment.Address is { } a ? Ipv4Prefix.ToAddress(Ipv4Prefix.ParseAddress(a)) : null;
        NetworkAllocation allocation;
        using (HoldLock())
        {
            allocation = store.Allocate(network.Name, containerId, publish, ports, requested);
            // An endpoint's own rules are its published ports; the network's rules are in place
            // since its creation, unless its bridge had to be made again (a reboot lost both).
            // So a run without -p costs no iptables process, however many containers there are.
            try
            {
                if (recreated) Rebuild();
                else if (allocation.Ports.Count > 0) AddOrRebuild([(bridge, Endpoint(network, allocation))]);
            }
            catch
            {
                store.Release(containerId, network.Name);
                throw;
            }
        }
        // The host end is named after the container and its interface: veth1a2b3c4d for eth0, veth1a2b3c4d1 for eth1.
        var hostInterface = $"veth{containerId[..8]}{(containerInterface == "eth0" ? "" : containerInterface[3..])}";
        try
        {
            if (allocation.Ports.Count > 0) conntrack.Forget(allocation.Address, allocation.Ports);
            driver.Connect(bridge, pid, hostInterface, containerInterface, allocation.Address);
        }
        catch
        {
            driver.RemoveLink(hostInterface);
            Disconnect(containerId, network.Name);
            throw;
        }
    }

    /// <summary>
    /// Takes the container's rules away (on <paramref name="network"/> only, or on all its networks),
    /// then its addresses (its veth died with its namespace, or was taken out), then the connections
    /// the kernel still tracks for them. Rules go before records, so a command killed in between
    /// leaves records without rules, never rules without records: the next delete of those rules
    /// fails and rebuilds everything from the records.
    /// </summary>
    public void Disconnect(string containerId, string? network = null)
    {
        List<NetworkAllocation> held;
        using (HoldLock())
        {
            held = store.Allocations().Where(a => a.ContainerId == containerId && (network is null || a.Network == network)).ToList();
            var networks = store.List().ToDictionary(n => n.Name);
            var endpoints = held.Where(a => a.Ports.Count > 0)
                .Select(a => (networks[a.Network].ToBridge(), Endpoint(networks[a.Network], a))).ToList();
            try
            {
                if (endpoints.Count > 0) firewall.ChangeEndpoints(endpoints, add: false);
                store.Release(containerId, network);
            }
            catch (IptablesException)
            {
                store.Release(containerId, network);
                Rebuild();
            }
        }
        foreach (var a in held.Where(a => a.Ports.Count > 0)) conntrack.Forget(a.Address, a.Ports);
    }

    /// <summary>Rewrites every Skiff rule from the records (read under the lock, so the newest records win).</summary>
    public void ApplyRules()
    {
        using var held = HoldLock();
        Rebuild();
    }

    // Under the lock.
    private void Rebuild()
    {
        var networks = store.List();
        var byName = networks.ToDictionary(n => n.Name);
        var endpoints = store.Allocations().Select(a => Endpoint(byName[a.Network], a)).ToList();
        firewall.Rebuild(networks.Select(n => n.ToBridge()).ToList(), endpoints);
    }

    // Under the lock. Rules that are not what the records say (a command killed half-way) fail a
    // batch; the records are the truth, so everything is written again from them.
    private void AddOrRebuild(IReadOnlyList<(BridgeNetwork, NetworkEndpoint)> endpoints)
    {
        try
        {
            firewall.ChangeEndpoints(endpoints, add: true);
        }
        catch (IptablesException)
        {
            Rebuild();
        }
    }

    private static NetworkEndpoint Endpoint(NetworkRecord network, NetworkAllocation allocation) =>
        new(network.Bridge, allocation.Address, allocation.Ports);

    // One skiff process at a time changes rules; waiters block in the kernel rather than poll.
    private IDisposable HoldLock() => Linux.FileLock.Exclusive(Path.Join(stateRoot, "netfilter.lock"));

    private Ipv4Prefix FreeSubnet(IEnumerable<string> candidates)
    {
        var taken = store.List().Select(n => n.Subnet)
            .Concat(driver.HostRoutes().Where(r => r.Destination is { } d && d.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && r.Table == Linux.Netlink.RouteTables.Main)
                .Select(r => Ipv4Prefix.Parse($"{r.Destination}/{r.PrefixLength}")))
            .ToList();
        foreach (var candidate in candidates.Select(Ipv4Prefix.Parse))
            if (!taken.Any(t => AddressPool.Overlap(t, candidate))) return candidate;
        throw new InvalidInputException("no free subnet left for a new network: give one with --subnet");
    }
}
