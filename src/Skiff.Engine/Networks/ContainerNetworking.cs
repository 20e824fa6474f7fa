using Skiff.Engine.Containers;
using Skiff.Network.Bridge;
using Skiff.Network.Ipam;
using Skiff.Network.Netfilter;
using Skiff.Network.Ports;

namespace Skiff.Engine.Networks;

/// <summary>Docker's <c>network create</c> options that Skiff takes.</summary>
public sealed record NetworkCreateRequest(string Name, string? Subnet = null, string? Gateway = null, bool Internal = false, bool InterContainer = true, int? Mtu = null);

/// <summary>
/// Bridge networks for containers: records (<see cref="NetworkStore"/>), the kernel's bridges and
/// veths (<see cref="BridgeDriver"/>) and the rules (<see cref="RuleApplier"/>). Every rule change
/// happens under one lock file, so concurrent commands apply them in turn: a network's creation or
/// removal rewrites all rules from the records, a container's start or stop only its own.
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
        var record = store.Insert(request.Name, bridge, subnet, gateway, request.Internal, request.InterContainer, request.Mtu);
        try
        {
            BridgeDriver.EnsureBridge(record.ToBridge());
            ApplyRules();
            return record;
        }
        catch
        {
            store.Delete(record);
            BridgeDriver.RemoveBridge(record.Bridge);
            throw;
        }
    }

    public void Remove(string reference)
    {
        var network = store.Find(reference);
        store.Delete(network);
        BridgeDriver.RemoveBridge(network.Bridge);
        ApplyRules();
    }

    /// <summary>The network a run asks for: a name, or the default one, created on first use.</summary>
    public NetworkRecord Resolve(RunRequest request)
    {
        var name = request.NetworkName ?? DefaultName;
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
    /// it waits for: an address and host ports, the container's rules, then the veth pair. Ports are
    /// chosen and rules added under the netfilter lock, so rules always follow the records' order and
    /// a rebuild can never see a record whose rules are about to be appended (it would double them).
    /// A port that is taken fails before anything is wired.
    /// </summary>
    public void Connect(string containerId, RunRequest request, int initPid)
    {
        var network = Resolve(request);
        var bridge = network.ToBridge();
        var recreated = BridgeDriver.EnsureBridge(bridge);
        NetworkAllocation allocation;
        using (HoldLock())
        {
            allocation = store.Allocate(network.Name, containerId, request.Publish, HostPortChooser.ForHost());
            // A container's own rules are its published ports; the network's rules are in place
            // since its creation, unless its bridge had to be made again (a reboot lost both).
            try
            {
                if (recreated) Rebuild();
                else if (allocation.Ports.Count > 0) AddOrRebuild(RuleGenerator.EndpointBatch(bridge, Endpoint(network, allocation), add: true));
            }
            catch
            {
                store.Release(containerId);
                throw;
            }
        }
        try
        {
            if (allocation.Ports.Count > 0) ConntrackCleaner.Forget(allocation.Address, allocation.Ports);
            BridgeDriver.Connect(bridge, initPid, $"veth{containerId[..8]}", allocation.Address);
        }
        catch
        {
            Disconnect(containerId);
            throw;
        }
    }

    /// <summary>
    /// Takes the container's rules away, then its addresses (its veth died with its namespace), then
    /// the connections the kernel still tracks for them. Rules go before records, so a command killed
    /// in between leaves records without rules, never rules without records: the next delete of
    /// those rules fails and rebuilds everything from the records.
    /// </summary>
    public void Disconnect(string containerId)
    {
        List<NetworkAllocation> held;
        using (HoldLock())
        {
            held = store.Allocations().Where(a => a.ContainerId == containerId).ToList();
            var networks = store.List().ToDictionary(n => n.Name);
            var batch = string.Concat(held.Where(a => a.Ports.Count > 0)
                .Select(a => RuleGenerator.EndpointBatch(networks[a.Network].ToBridge(), Endpoint(networks[a.Network], a), add: false)));
            try
            {
                if (batch.Length > 0) Applier().Apply(batch);
                store.Release(containerId);
            }
            catch (IptablesException)
            {
                store.Release(containerId);
                Rebuild();
            }
        }
        foreach (var a in held.Where(a => a.Ports.Count > 0)) ConntrackCleaner.Forget(a.Address, a.Ports);
    }

    /// <summary>Rewrites every Skiff rule from the records (read under the lock, so the newest records win).</summary>
    public void ApplyRules()
    {
        using var held = HoldLock();
        Rebuild();
    }

    // Under the lock. The backend is chosen again here (this is how networks are made, and how a
    // host is put right) and remembered for the cheap per-container batches.
    private void Rebuild()
    {
        var networks = store.List();
        var byName = networks.ToDictionary(n => n.Name);
        var endpoints = store.Allocations().Select(a => Endpoint(byName[a.Network], a)).ToList();
        var backend = RuleApplier.Detect();
        new RuleApplier(backend).Rebuild(networks.Select(n => n.ToBridge()).ToList(), endpoints);
        File.WriteAllText(BackendFile, backend.Name);
    }

    // Under the lock. Rules that are not what the records say (a command killed half-way) fail a
    // batch; the records are the truth, so everything is written again from them.
    private void AddOrRebuild(string batch)
    {
        try
        {
            Applier().Apply(batch);
        }
        catch (IptablesException)
        {
            Rebuild();
        }
    }

    private RuleApplier Applier() =>
        new(Environment.GetEnvironmentVariable(IptablesBackend.Variable) is { Length: > 0 } || !File.Exists(BackendFile)
            ? RuleApplier.Detect()
            : new IptablesBackend(File.ReadAllText(BackendFile).Trim()));

    private string BackendFile => Path.Join(stateRoot, "netfilter.backend");

    private static NetworkEndpoint Endpoint(NetworkRecord network, NetworkAllocation allocation) =>
        new(network.Bridge, allocation.Address, allocation.Ports);

    // One skiff process at a time changes rules; waiters block in the kernel rather than poll.
    private IDisposable HoldLock() => Linux.FileLock.Exclusive(Path.Join(stateRoot, "netfilter.lock"));

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
