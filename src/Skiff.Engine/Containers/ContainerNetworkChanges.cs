using Skiff.Engine.Networks;
using Skiff.Engine.State;
using Skiff.Linux;
using Skiff.Network;
using Skiff.Network.Ipam;

namespace Skiff.Engine.Containers;

/// <summary>
/// The container side of networking: the network settings a container is created with, wiring its
/// networks at start, <c>network connect|disconnect|prune</c>, and the hosts files that follow.
/// </summary>
public sealed partial class ContainerEngine
{
    private PeerHosts Hosts => new(Networking.Store, Store, paths);

    /// <summary>Bad network settings are refused at create, before anything exists.</summary>
    private RunRequest CheckNetworks(RunRequest request)
    {
        foreach (var extra in request.Names.ExtraHosts)
            if (NameSettings.ParseExtraHost(extra).Address == NameSettings.HostGateway && request.Network != NetworkMode.Bridge)
                throw new InvalidInputException($"--add-host {extra}: host-gateway is the gateway of a bridge network, and --network {request.Network.ToString().ToLowerInvariant()} has none");
        if (request.Network == NetworkMode.Container)
        {
            if (request.Hostname is not null || request.Publish.Count > 0 || request.Names.Any())
                throw new InvalidInputException("conflicting options: --hostname, -p, --add-host and --dns belong to the container that owns the network, not to one joining it with --network container:NAME");
            var owner = Find(request.NetworkContainer!);
            // Docker's way: the joining container takes the owner's host name and names files.
            return request with { NetworkContainer = owner.Id, Hostname = Hostname(owner.Request, owner.Id) };
        }
        if (request.Network != NetworkMode.Bridge) return request;
        // Names, not ids, are what the records keep; no network named is the default one.
        var networks = new List<NetworkAttachment>();
        foreach (var attachment in request.Networks.Count > 0 ? request.Networks : [new NetworkAttachment(ContainerNetworking.DefaultName)])
        {
            var network = attachment.Network == ContainerNetworking.DefaultName ? null : Networking.Store.Find(attachment.Network);
            var named = attachment with { Network = network?.Name ?? attachment.Network };
            if (networks.Any(n => n.Network == named.Network))
                throw new InvalidInputException($"network {attachment.Network} is given twice: a container joins a network once");
            CheckAttachment(network, named);
            networks.Add(named);
        }
        return request with { Networks = networks };
    }

    /// <summary>Docker's rules: a chosen address or alias only on a user-defined network (null here is the default one), the address inside its subnet.</summary>
    private static void CheckAttachment(NetworkRecord? network, NetworkAttachment attachment)
    {
        if (network is null && attachment.Address is not null)
            throw new InvalidInputException($"--ip {attachment.Address}: a chosen address is supported on user-defined networks only, not on the default network: create one (skiff network create --subnet ...) and run with --network on it");
        if (network is null && attachment.Aliases.Count > 0)
            throw new InvalidInputException("--network-alias: aliases are supported on user-defined networks only; the default network resolves no names");
        if (network is not null && attachment.Address is { } text
            && AddressPool.Refusal(network.Subnet, network.Gateway, Ipv4Prefix.ToAddress(Ipv4Prefix.ParseAddress(text))) is { } refusal)
            throw new InvalidInputException($"--ip {text}: {refusal} of network {network.Name}: choose another address");
    }

    /// <summary>
    /// /etc/hostname, /etc/hosts and /etc/resolv.conf in the bundle. A container joining another's
    /// network namespace shares that one's hosts and resolv.conf: hard links to the same inodes, so
    /// the owner's updates (made in place) reach it too.
    /// </summary>
    private void WriteNetworkFiles(string bundle, string hostname, RunRequest request)
    {
        ContainerFiles.Write(bundle, hostname, request);
        if (request.Network != NetworkMode.Container) return;
        var owner = paths.Container(request.NetworkContainer!);
        foreach (var file in new[] { "hosts", "resolv.conf" })
        {
            File.Delete(Path.Join(bundle, file));
            FileNodes.HardLink(Path.Join(owner, file), Path.Join(bundle, file));
        }
    }

    /// <summary>--network container:NAME: the network namespace of that container, which must be running.</summary>
    private string? JoinedNetworkNamespace(RunRequest request)
    {
        if (request.Network != NetworkMode.Container) return null;
        var owner = Find(request.NetworkContainer!);
        if (owner.Status != ContainerStatus.Running || owner.Pid <= 0)
            throw new ConflictException($"cannot join the network namespace of container {owner.Name}: it is not running (start it first: skiff start {owner.Name})");
        return $"/proc/{owner.Pid}/ns/net";
    }

    /// <summary>At start, before the program runs: its networks, then its hosts file and its peers' with its new addresses.</summary>
    private void ConnectNetworks(ContainerRecord record, int pid)
    {
        Networking.Connect(record.Id, record.Request, pid);
        StartTimeline.Mark("networks wired");
        Hosts.Refresh(ContainerNetworking.Attachments(record.Request).Select(a => a.Network), record.Id);
        StartTimeline.Mark("hosts files written");
    }

    /// <summary>Gives back the container's addresses and rules, and takes its name out of its peers' hosts files.</summary>
    private void ReleaseNetworks(string id)
    {
        var held = Networking.Store.Allocations().Where(a => a.ContainerId == id).Select(a => a.Network).ToList();
        Networking.Disconnect(id);
        Hosts.Refresh(held);
    }

    /// <summary>
    /// <c>network connect</c>: a running container gets one more interface at once, a stopped one
    /// at its next start. Either way the network joins its settings, so it is kept across restarts.
    /// </summary>
    public void ConnectNetwork(string reference, NetworkAttachment attachment)
    {
        var record = Find(reference);
        if (record.Request.Network != NetworkMode.Bridge)
            throw new ConflictException($"container {record.Name} has --network {NetworkModeName(record.Request)}: only a container on bridge networks can join others");
        var network = attachment.Network == ContainerNetworking.DefaultName ? null : Networking.Store.Find(attachment.Network);
        attachment = attachment with { Network = network?.Name ?? attachment.Network };
        if (ContainerNetworking.Attachments(record.Request).Any(a => a.Network == attachment.Network))
            throw new ConflictException($"container {record.Name} is already connected to network {attachment.Network}");
        CheckAttachment(network, attachment);
        var running = record.Status is ContainerStatus.Running or ContainerStatus.Paused && record.Pid > 0;
        if (running) Networking.ConnectRunning(record.Id, record.Pid, attachment);
        try
        {
            Store.UpdateRequest(record.Id, r => r with { Networks = [.. r.Networks, attachment] });
        }
        catch
        {
            if (running) Networking.DisconnectRunning(record.Id, record.Pid, attachment.Network, []);
            throw;
        }
        if (running) Hosts.Refresh([attachment.Network], record.Id);
    }

    /// <summary><c>network disconnect</c>: the container leaves the network now if it runs, and for good. -f: also when it is not connected.</summary>
    public void DisconnectNetwork(string reference, string networkReference, bool force)
    {
        var record = Find(reference);
        var network = Networking.Store.TryFind(networkReference)?.Name ?? networkReference;
        if (!ContainerNetworking.Attachments(record.Request).Any(a => a.Network == network))
        {
            if (force) return;
            throw new ConflictException($"container {record.Name} is not connected to network {network}");
        }
        var remaining = record.Request.Networks.Where(a => a.Network != network).ToList();
        if (record.Status is ContainerStatus.Running or ContainerStatus.Paused && record.Pid > 0)
            Networking.DisconnectRunning(record.Id, record.Pid, network, remaining);
        Store.UpdateRequest(record.Id, r => r with { Networks = [.. r.Networks.Where(a => a.Network != network)] });
        Hosts.Refresh([network], record.Id);
    }

    /// <summary><c>network prune</c>: the user-defined networks no container names; the names of those removed.</summary>
    public IReadOnlyList<string> PruneNetworks() =>
        Networking.Prune(List().SelectMany(c => ContainerNetworking.Attachments(c.Request)).Select(a => a.Network).ToHashSet());

    /// <summary>Docker's HostConfig.NetworkMode: the first network's name, container:ID, host or none.</summary>
    public static string NetworkModeName(RunRequest request) => request.Network switch
    {
        NetworkMode.Bridge => request.Networks.FirstOrDefault()?.Network ?? ContainerNetworking.DefaultName,
        NetworkMode.Container => $"container:{request.NetworkContainer}",
        _ => request.Network.ToString().ToLowerInvariant(),
    };
}
