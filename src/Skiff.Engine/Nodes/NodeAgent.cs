using System.Globalization;
using Skiff.Network.Cluster;

namespace Skiff.Engine.Nodes;

/// <summary>
/// <c>skiff node agent</c>, the long-lived process of a node (as flanneld): it holds this node's
/// subnet lease in etcd, renewing it at a third of its TTL, and keeps exactly one route per live
/// peer through a watch on the leases. Every wake-up (the watch created, an event, a renewal, a
/// lost watch, a restart) reads all leases again and syncs the routes to them, so nothing depends
/// on having seen every event. Its pid is in <c>node/agent.pid</c>, its messages in <c>node/agent.log</c>.
/// </summary>
public sealed class NodeAgent(SkiffPaths paths, NodeState state, IRouteTable routes)
{
    public const string ReadyLine = "ready";

    // Whatever happens, the leases are read again this often.
    private static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _wake = new(0);

    public static string PidFile(SkiffPaths paths) => Path.Join(NodeState.Directory(paths), "agent.pid");

    public static string LogFile(SkiffPaths paths) => Path.Join(NodeState.Directory(paths), "agent.log");

    /// <summary>Runs until killed; <paramref name="ready"/> is called once the lease is held and the routes synced.</summary>
    public async Task RunAsync(Action ready, CancellationToken cancel)
    {
        File.WriteAllText(PidFile(paths), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        using var etcd = new EtcdClient(new Uri(state.Etcd!));
        var store = new SubnetLeaseStore(etcd);
        var lease = await store.HoldAsync(state.Lease, state.LeaseTtlSeconds);
        await SyncAsync(store, cancel);
        ready();
        var renewal = RenewAsync(store, lease, cancel);
        var watch = WatchAsync(etcd, cancel);
        while (!cancel.IsCancellationRequested)
        {
            await _wake.WaitAsync(ResyncInterval, cancel);
            // Events come in bursts (a node and its lease at once): one read answers all of them.
            while (_wake.CurrentCount > 0) await _wake.WaitAsync(cancel);
            try
            {
                await SyncAsync(store, cancel);
            }
            catch (EtcdException e)
            {
                Log(e.Message);
            }
        }
        await Task.WhenAll(renewal, watch);
    }

    private async Task SyncAsync(SubnetLeaseStore store, CancellationToken cancel)
    {
        var (_, leases) = await store.LeasesAsync(cancel);
        var plan = PeerRoutes.Sync(routes, PeerRoutes.Desired(leases, state.Name), Log);
        foreach (var r in plan.Remove) Log($"removed route {r}");
        foreach (var r in plan.Add) Log($"added route {r}");
    }

    private async Task RenewAsync(SubnetLeaseStore store, SubnetLease lease, CancellationToken cancel)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, state.LeaseTtlSeconds / 3.0));
        while (!cancel.IsCancellationRequested)
        {
            await Task.Delay(period, cancel);
            try
            {
                if (await store.Etcd.KeepAliveAsync(lease.LeaseId, cancel) > 0) continue;
                // The lease ran out (etcd was away longer than the TTL): take the subnet again.
                Log($"lease {lease.LeaseId} ended: leasing {lease.Subnet} again");
                lease = await store.HoldAsync(state.Lease, state.LeaseTtlSeconds);
                _wake.Release();
            }
            catch (Exception e) when (e is EtcdException or IOException)
            {
                Log(e.Message);
            }
        }
    }

    private async Task WatchAsync(EtcdClient etcd, CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                await etcd.WatchAsync(SubnetLeaseStore.SubnetsPrefix, () => _wake.Release(), cancel);
                Log("the watch on the leases ended: watching again");
            }
            catch (Exception e) when (e is EtcdException or HttpRequestException or IOException)
            {
                Log($"the watch on the leases failed ({e.Message}): watching again in 1 s");
            }
            _wake.Release();
            await Task.Delay(TimeSpan.FromSeconds(1), cancel);
        }
    }

    private void Log(string message) =>
        File.AppendAllText(LogFile(paths), $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {message}\n");
}
