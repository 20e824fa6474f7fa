using Skiff.Engine.Networks;
using Skiff.Engine.State;

namespace Skiff.Engine.Containers;

/// <summary>
/// Name resolution on user-defined networks through managed hosts files, not an embedded DNS
/// server: Skiff has no daemon to answer queries, a resolver per container would cost a process
/// (or a thread in each monitor) and a socket in every namespace, and every libc and busybox
/// reads /etc/hosts first. The price is that a file, not a server, must follow peers as they come
/// and go: every command that gives or takes an address on a network rewrites, in place, the
/// hosts file of each container on it. The default network resolves no names, as in Docker.
/// </summary>
public sealed class PeerHosts(NetworkStore networks, ContainerStore containers, SkiffPaths paths)
{
    /// <summary>Rewrites the hosts files of the containers on <paramref name="changed"/>, and of <paramref name="container"/> itself.</summary>
    public void Refresh(IEnumerable<string> changed, string? container = null)
    {
        var user = changed.Where(n => n != ContainerNetworking.DefaultName).ToHashSet();
        if (user.Count == 0 && container is null) return;
        // Under a lock, read then write: two commands refreshing at once must not let the older
        // reading of the records be written last.
        using var held = Linux.FileLock.Exclusive(Path.Join(paths.Root, "hosts.lock"));
        var allocations = networks.Allocations();
        // Only the records a file names are read: a start on the default network reads its own alone.
        var records = new Dictionary<string, ContainerRecord?>();
        ContainerRecord? Record(string id) => records.TryGetValue(id, out var r) ? r : records[id] = containers.TryGet(id);
        var gateways = networks.List().ToDictionary(n => n.Name, n => n.Gateway);
        var targets = allocations.Where(a => user.Contains(a.Network)).Select(a => a.ContainerId).Append(container).OfType<string>().Distinct();
        foreach (var id in targets)
        {
            if (Record(id) is not { Request.Network: NetworkMode.Bridge } record) continue;
            var own = allocations.Where(a => a.ContainerId == id).ToList();
            // The first network the container asked for (the one with its default route) gives its own line and host-gateway.
            var first = ContainerNetworking.Attachments(record.Request).Select(att => own.FirstOrDefault(a => a.Network == att.Network)).OfType<NetworkAllocation>().FirstOrDefault();
            var entries = new List<string>();
            if (first is not null) entries.Add($"{first.Address}\t{ContainerEngine.Hostname(record.Request, id)}");
            foreach (var network in own.Select(a => a.Network).Where(n => n != ContainerNetworking.DefaultName))
                foreach (var peer in allocations.Where(a => a.Network == network && a.ContainerId != id))
                    if (Record(peer.ContainerId) is { } p)
                        entries.Add($"{peer.Address}\t{string.Join(' ', [p.Name, .. Aliases(p.Request, network)])}");
            var gateway = first is not null && gateways.TryGetValue(first.Network, out var g) ? g : null;
            ContainerFiles.WriteHosts(paths.Container(id), ContainerFiles.Hosts(record.Request, gateway, entries.Distinct()));
        }
    }

    private static IEnumerable<string> Aliases(RunRequest request, string network) =>
        request.Networks.FirstOrDefault(a => a.Network == network)?.Aliases ?? [];
}
