using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Skiff.Engine.Networks;
using Skiff.Network.Cluster;
using Skiff.Network;

namespace Skiff.Engine.Nodes;

/// <summary>One row of <c>node ls</c>.</summary>
public sealed record NodeListing(string Node, string Address, string Subnet, string Expires, string Reachable);

/// <summary>
/// <c>skiff node init|join|leave|ls</c>: a host's membership of a cluster. Joining leases a subnet
/// (or takes the one given, in the static form), moves the default bridge network onto it,
/// records <see cref="NodeState"/> and starts the <see cref="NodeAgent"/> (the static form sets its
/// few routes itself and needs no agent).
/// </summary>
public sealed class NodeMembership(SkiffPaths paths, ContainerNetworking networking)
{
    public static readonly TimeSpan DefaultLeaseTtl = TimeSpan.FromSeconds(10);

    public static async Task InitAsync(Uri etcd, ClusterConfig config)
    {
        using var client = new EtcdClient(etcd);
        await new SubnetLeaseStore(client).InitAsync(config);
    }

    public async Task<NodeState> JoinAsync(Uri etcd, string name, IPAddress? advertise, TimeSpan leaseTtl)
    {
        RefuseRejoin();
        if (leaseTtl < TimeSpan.FromSeconds(2))
            throw new Linux.InvalidInputException($"--lease-ttl {leaseTtl.TotalSeconds}s: a lease must last at least 2 s");
        var address = advertise ?? SourceAddressTowards(etcd);
        if (IPAddress.IsLoopback(address))
            throw new Linux.InvalidInputException($"this host reaches etcd over loopback, which peers cannot route through: give the address they reach it at with --advertise-address IP");
        using var client = new EtcdClient(etcd);
        var store = new SubnetLeaseStore(client);
        var config = await store.ConfigAsync();
        var ttl = (long)Math.Ceiling(leaseTtl.TotalSeconds);
        var lease = await store.AcquireAsync(name, address.ToString(), ttl);
        var state = new NodeState(name, address.ToString(), lease.Subnet, config.Cidr, etcd.ToString(), ttl, null);
        try
        {
            Settle(state);
            StartAgent();
        }
        catch
        {
            NodeState.Delete(paths);
            await store.ReleaseAsync(lease);
            throw;
        }
        return state;
    }

    /// <summary>The static form: this node's subnet and its peers as given, their routes set here and now.</summary>
    public NodeState JoinStatic(string name, Ipv4Prefix subnet, IReadOnlyList<StaticPeer> peers, IPAddress? advertise)
    {
        RefuseRejoin();
        if (peers.Count == 0)
            throw new Linux.InvalidInputException("--subnet needs at least one --peer SUBNET=ADDRESS (or use --etcd URL)");
        if (peers.FirstOrDefault(p => Network.Ipam.AddressPool.Overlap(Ipv4Prefix.Parse(p.Subnet), subnet)) is { } clash)
            throw new Linux.InvalidInputException($"--peer {clash.Subnet}={clash.Address} overlaps this node's --subnet {subnet}: give each node its own subnet");
        var state = new NodeState(name, advertise?.ToString() ?? "", subnet.ToString(), null, null, 0, [.. peers]);
        Settle(state);
        using var routes = new KernelRouteTable();
        var failures = new List<string>();
        PeerRoutes.Sync(routes, peers.Select(p => new PeerRoute(Ipv4Prefix.Parse(p.Subnet), IPAddress.Parse(p.Address))).ToList(), failures.Add);
        return failures.Count == 0 ? state : throw new ClusterException($"joined, but {string.Join("; ", failures)}");
    }

    /// <summary>Stops the agent, gives the lease back and removes the routes Skiff made; the default network keeps its subnet.</summary>
    public async Task LeaveAsync()
    {
        var state = NodeState.Load(paths) ?? throw new ClusterException("this host is in no cluster: nothing to leave");
        StopAgent();
        if (state.Etcd is { } etcd)
        {
            using var client = new EtcdClient(new Uri(etcd));
            var store = new SubnetLeaseStore(client);
            var (_, leases) = await store.LeasesAsync();
            foreach (var mine in leases.Where(l => l.Node == state.Name)) await store.ReleaseAsync(mine);
        }
        using (var routes = new KernelRouteTable())
            PeerRoutes.Sync(routes, [], _ => { });
        NodeState.Delete(paths);
        networking.ApplyRules();
    }

    public async Task<IReadOnlyList<NodeListing>> ListAsync()
    {
        var state = NodeState.Load(paths) ?? throw new ClusterException("this host is in no cluster: run skiff node join first");
        using var routes = new KernelRouteTable();
        var owned = routes.Owned();
        string Reach(string node, string subnet, string address) =>
            node == state.Name ? "self"
            : owned.Contains(new PeerRoute(Ipv4Prefix.Parse(subnet), IPAddress.Parse(address))) ? "yes (routed)" : "no route";
        if (state.Etcd is not { } etcd)
            return [new(state.Name, state.Address, state.Subnet, "static", "self"),
                    .. (state.Peers ?? []).Select(p => new NodeListing("-", p.Address, p.Subnet, "static", Reach("", p.Subnet, p.Address)))];
        using var client = new EtcdClient(new Uri(etcd));
        var (_, leases) = await new SubnetLeaseStore(client).LeasesAsync();
        var rows = new List<NodeListing>();
        foreach (var l in leases.OrderBy(l => l.Prefix.Network))
        {
            var left = await client.TimeToLiveAsync(l.LeaseId);
            rows.Add(new(l.Node, l.Address, l.Subnet, left > 0 ? $"in {left} s" : "ended", Reach(l.Node, l.Subnet, l.Address)));
        }
        return rows;
    }

    /// <summary>Runs the agent in this process: the hidden <c>node agent</c> verb.</summary>
    public static int RunAgent(SkiffPaths paths)
    {
        var state = NodeState.Load(paths) ?? throw new ClusterException("this host is in no cluster: run skiff node join first");
        if (state.IsStatic) throw new ClusterException("this node joined in the static form: it has no leases to watch");
        if (RunningAgent(paths) is { } running)
            throw new ClusterException($"a node agent already runs for {paths.Root} (pid {running.Id}): stop it first, or leave it be");
        using var cancel = new CancellationTokenSource();
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            cancel.Cancel();
        });
        using var routes = new KernelRouteTable();
        try
        {
            new NodeAgent(paths, state, routes).RunAsync(() =>
            {
                Console.Out.WriteLine(NodeAgent.ReadyLine);
                Console.Out.Flush();
                Linux.ProcessControl.DetachStdio();
                // It runs for as long as the host does: what joining and the first sync touched goes back.
                Linux.WorkingSet.Trim();
            }, cancel.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        finally
        {
            File.Delete(NodeAgent.PidFile(paths));
        }
        return 0;
    }

    private void Settle(NodeState state)
    {
        // The state goes first: the default network's rules are written from it.
        state.Save(paths);
        networking.UseDefaultSubnet(Ipv4Prefix.Parse(state.Subnet));
    }

    private void RefuseRejoin()
    {
        if (NodeState.Load(paths) is { } joined)
            throw new ClusterException($"this host is already node {joined.Name} with subnet {joined.Subnet}: run skiff node leave first");
    }

    /// <summary>Starts the agent and waits for its first sync, so that routes are in place when join returns.</summary>
    private void StartAgent()
    {
        var startInfo = new ProcessStartInfo(Environment.ProcessPath ?? "skiff")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add("node");
        startInfo.ArgumentList.Add("agent");
        using var agent = Process.Start(startInfo) ?? throw new ClusterException("could not start the node agent");
        agent.StandardInput.Close();
        var errors = agent.StandardError.ReadToEndAsync();
        if (agent.StandardOutput.ReadLine() == NodeAgent.ReadyLine) return;
        agent.WaitForExit();
        throw new ClusterException($"the node agent did not start: {errors.Result.Trim()}");
    }

    /// <summary>SIGTERM to the running agent, and waits for it to go.</summary>
    private void StopAgent()
    {
        if (RunningAgent(paths) is not { } agent) return;
        using (agent)
        {
            Linux.ProcessControl.Signal(agent.Id, 15);
            if (!agent.WaitForExit(TimeSpan.FromSeconds(10))) agent.Kill();
        }
        File.Delete(NodeAgent.PidFile(paths));
    }

    /// <summary>The agent of the pid file if it still runs (a pid reused by another program is not it).</summary>
    private static Process? RunningAgent(SkiffPaths paths)
    {
        var pidFile = NodeAgent.PidFile(paths);
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) return null;
        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
            return commandLine.Contains("node\0agent", StringComparison.Ordinal) ? Process.GetProcessById(pid) : null;
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// The address this host's packets to etcd leave with: the one on the interface of the route to
    /// etcd, as flannel picks its public IP. A UDP socket's connect sends nothing; it only routes.
    /// </summary>
    private static IPAddress SourceAddressTowards(Uri etcd)
    {
        var target = IPAddress.TryParse(etcd.Host, out var literal) ? literal : Dns.GetHostAddresses(etcd.Host).First(a => a.AddressFamily == AddressFamily.InterNetwork);
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(target, etcd.Port);
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }
}
