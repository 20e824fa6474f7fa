
namespace Skiff.Network.Cluster;

/// <summary>
/// Cuts node subnets out of the cluster CIDR, as flannel does: the first one is left out (so the
/// notes' 172.20.0.0/16 gives 172.20.1.0/24, 172.20.2.0/24...), then the lowest free one wins.
/// </summary>
public static class SubnetAllocator
{
    public static Ipv4Prefix Next(ClusterConfig config, IEnumerable<Ipv4Prefix> taken)
    {
        var cluster = config.Prefix;
        var used = taken.Select(t => t.Network).ToHashSet();
        var count = 1L << (config.SubnetLength - cluster.Length);
        var step = 1u << (32 - config.SubnetLength);
        for (var i = 1L; i < count; i++)
        {
            var candidate = new Ipv4Prefix(cluster.Network + (uint)i * step, config.SubnetLength);
            if (!used.Contains(candidate.Network)) return candidate;
        }
        throw new ClusterException($"every /{config.SubnetLength} of the cluster {cluster} is leased: wait for a node's lease to end, or remove one with skiff node leave");
    }
}
