using System.Text.Json;

namespace Skiff.Network.Cluster;

/// <summary>
/// The cluster's records in etcd, laid out as flannel's: <c>/skiff/network/config</c> holds the
/// <see cref="ClusterConfig"/>, <c>/skiff/network/subnets/172.20.1.0-24</c> one node's
/// <see cref="SubnetLease"/>, attached to an etcd lease so that it disappears when its node stops
/// renewing it. A subnet is taken with a create-only transaction, so two nodes joining at once
/// can never both get it.
/// </summary>
public sealed class SubnetLeaseStore(EtcdClient etcd)
{
    public const string Root = "/skiff/network/", ConfigKey = Root + "config", SubnetsPrefix = Root + "subnets/";

    public EtcdClient Etcd => etcd;

    public static string KeyOf(Ipv4Prefix subnet) => SubnetsPrefix + subnet.ToString().Replace('/', '-');

    /// <summary>Writes the cluster's plan; a cluster already planned the same way is left as it is, another plan is refused.</summary>
    public async Task InitAsync(ClusterConfig config)
    {
        if (await etcd.CreateAsync(ConfigKey, JsonSerializer.SerializeToUtf8Bytes(config, ClusterJsonContext.Default.ClusterConfig))) return;
        var existing = await ConfigAsync();
        if (existing != config)
            throw new ClusterException($"the cluster at {etcd.Endpoint} is already set up with --cluster-cidr {existing.Cidr} --subnet-size {existing.SubnetLength}: join it as it is");
    }

    public async Task<ClusterConfig> ConfigAsync()
    {
        var (_, entries) = await etcd.RangeAsync(ConfigKey, prefix: false);
        return entries.Count == 0
            ? throw new ClusterException($"etcd at {etcd.Endpoint} holds no Skiff cluster: run skiff node init --etcd {etcd.Endpoint} --cluster-cidr CIDR first")
            : JsonSerializer.Deserialize(entries[0].Value, ClusterJsonContext.Default.ClusterConfig)!;
    }

    /// <summary>Every live lease, with the store revision they were read at (a watch continues from there).</summary>
    public async Task<(long Revision, IReadOnlyList<SubnetLease> Leases)> LeasesAsync(CancellationToken cancel = default)
    {
        var (revision, entries) = await etcd.RangeAsync(SubnetsPrefix, prefix: true, cancel);
        return (revision, entries.Select(e => JsonSerializer.Deserialize(e.Value, ClusterJsonContext.Default.SubnetLease)! with { LeaseId = e.Lease }).ToList());
    }

    /// <summary>
    /// A subnet for <paramref name="node"/>: the one it already holds (a node joining again keeps
    /// its subnet), else the lowest free one; bound to a new etcd lease of <paramref name="ttlSeconds"/>.
    /// </summary>
    public async Task<SubnetLease> AcquireAsync(string node, string address, long ttlSeconds)
    {
        var config = await ConfigAsync();
        for (var attempt = 0; attempt < 16; attempt++)
        {
            var (_, leases) = await LeasesAsync();
            if (leases.FirstOrDefault(l => l.Node == node) is { } held)
                return await HoldAsync(held with { Address = address }, ttlSeconds);
            var subnet = SubnetAllocator.Next(config, leases.Select(l => l.Prefix));
            var lease = new SubnetLease(node, address, subnet.ToString());
            var id = await etcd.GrantAsync(ttlSeconds);
            if (await etcd.CreateAsync(KeyOf(subnet), Serialize(lease), id)) return lease with { LeaseId = id };
            // Another node took that subnet between our read and our write: read again.
            await etcd.RevokeAsync(id);
        }
        throw new EtcdException("could not lease a subnet: other nodes kept taking the free ones; try again");
    }

    /// <summary>
    /// Puts this node's lease back under a new etcd lease (the agent's start, or after its lease
    /// ran out): the subnet must be free or still this node's, never taken from another node.
    /// </summary>
    public async Task<SubnetLease> HoldAsync(SubnetLease lease, long ttlSeconds)
    {
        var id = await etcd.GrantAsync(ttlSeconds);
        var key = KeyOf(lease.Prefix);
        if (await etcd.CreateAsync(key, Serialize(lease), id)) return lease with { LeaseId = id };
        var (_, entries) = await etcd.RangeAsync(key, prefix: false);
        var holder = entries.Count == 0 ? null : JsonSerializer.Deserialize(entries[0].Value, ClusterJsonContext.Default.SubnetLease);
        if (holder is not null && holder.Node != lease.Node)
        {
            await etcd.RevokeAsync(id);
            throw new ClusterException($"subnet {lease.Subnet} is now leased to node {holder.Node}: run skiff node leave, then skiff node join for a new subnet");
        }
        await etcd.PutAsync(key, Serialize(lease), id);
        return lease with { LeaseId = id };
    }

    public async Task ReleaseAsync(SubnetLease lease)
    {
        await etcd.DeleteAsync(KeyOf(lease.Prefix));
        try
        {
            if (lease.LeaseId != 0) await etcd.RevokeAsync(lease.LeaseId);
        }
        // The lease ended on its own meanwhile: nothing is left to give back.
        catch (EtcdException)
        {
        }
    }

    private static byte[] Serialize(SubnetLease lease) => JsonSerializer.SerializeToUtf8Bytes(lease, ClusterJsonContext.Default.SubnetLease);
}
