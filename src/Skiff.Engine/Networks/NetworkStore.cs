using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Skiff.Engine.State;
using Skiff.Network;
using Skiff.Network.Ipam;
using Skiff.Network.Ports;
using Skiff.Linux;

namespace Skiff.Engine.Networks;

/// <summary>A bridge network; <paramref name="IpRange"/> (--ip-range) is the part of the subnet IPAM hands out from.</summary>
public sealed record NetworkRecord(string Name, string Id, string Bridge, Ipv4Prefix Subnet, IPAddress Gateway, bool Internal, bool InterContainer, int? Mtu, DateTime Created, Ipv4Prefix? IpRange = null)
{
    public BridgeNetwork ToBridge() => new(Name, Bridge, Subnet, Gateway, Internal, InterContainer, Mtu);
}

public sealed record NetworkAllocation(string Network, IPAddress Address, string ContainerId, IReadOnlyList<PortBinding> Ports);

public sealed class NoSuchNetworkException(string reference)
    : SkiffException($"network {reference} not found (see `skiff network ls` for the networks there are)");

/// <summary>Network records and the addresses handed out on them (IPAM), each change one transaction.</summary>
public sealed partial class NetworkStore(StateDatabase db)
{
    private const string Columns = "name, id, bridge, subnet, gateway, internal, icc, mtu, created, ip_range";

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex ValidName();

    /// <summary>Inserts a network unless its name is taken or its subnet overlaps another network's.</summary>
    public NetworkRecord Insert(string name, string? bridge, Ipv4Prefix subnet, IPAddress gateway, bool @internal, bool interContainer, int? mtu, Ipv4Prefix? ipRange = null)
    {
        if (!ValidName().IsMatch(name))
            throw new InvalidInputException($"invalid network name \"{name}\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        if (!AddressPool.IsHost(subnet, gateway))
            throw new InvalidInputException($"gateway {gateway} is not a usable address of subnet {subnet}");
        if (ipRange is { } range && !(range.Length >= subnet.Length && subnet.Contains(Ipv4Prefix.ToAddress(range.Network))))
            throw new InvalidInputException($"ip-range {range} is not inside subnet {subnet}: give a part of the subnet");
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var record = new NetworkRecord(name, id, bridge ?? $"br-{id[..12]}", subnet, gateway, @internal, interContainer, mtu, DateTime.UtcNow, ipRange);
        using var tx = db.Begin();
        var existing = Read($"SELECT {Columns} FROM networks", tx);
        if (existing.Any(n => n.Name == name))
            throw new ConflictException($"network with name {name} already exists");
        if (existing.FirstOrDefault(n => AddressPool.Overlap(n.Subnet, subnet)) is { } clash)
            throw new ConflictException($"subnet {subnet} overlaps subnet {clash.Subnet} of network {clash.Name}: choose another --subnet");
        db.Execute($"INSERT INTO networks ({Columns}) VALUES ($name, $id, $bridge, $subnet, $gateway, $internal, $icc, $mtu, $created, $range)", tx,
            ("$name", name), ("$id", id), ("$bridge", record.Bridge), ("$subnet", subnet.ToString()), ("$gateway", gateway.ToString()),
            ("$internal", @internal ? 1 : 0), ("$icc", interContainer ? 1 : 0), ("$mtu", mtu), ("$created", ContainerStore.FormatTime(record.Created)), ("$range", ipRange?.ToString()));
        tx.Commit();
        return record;
    }

    public IReadOnlyList<NetworkRecord> List() => Read($"SELECT {Columns} FROM networks ORDER BY created", null);

    /// <summary>By name, full id or unique id prefix, as Docker finds networks.</summary>
    public NetworkRecord Find(string reference) => TryFind(reference) ?? throw new NoSuchNetworkException(reference);

    public NetworkRecord? TryFind(string reference)
    {
        var all = List();
        if (all.FirstOrDefault(n => n.Name == reference || n.Id == reference) is { } exact) return exact;
        var byPrefix = all.Where(n => n.Id.StartsWith(reference, StringComparison.Ordinal)).ToList();
        return byPrefix.Count == 1 ? byPrefix[0] : null;
    }

    /// <summary>Deletes a network that no container is attached to.</summary>
    public void Delete(NetworkRecord network)
    {
        using var tx = db.Begin();
        var attached = Allocations(tx).Where(a => a.Network == network.Name).Select(a => a.ContainerId[..12]).ToList();
        if (attached.Count > 0)
            throw new ConflictException($"network {network.Name} has active endpoints (containers {string.Join(", ", attached)}): stop or remove them first");
        db.Execute("DELETE FROM networks WHERE name = $name", tx, ("$name", network.Name));
        tx.Commit();
    }

    /// <summary>
    /// Hands the container the lowest free address of the network (or <paramref name="requested"/>,
    /// --ip) and its host ports, inside one BEGIN IMMEDIATE transaction: concurrent callers queue on
    /// the write lock, so each sees the others' rows. A host port another container already publishes is refused here too.
    /// </summary>
    public NetworkAllocation Allocate(string networkName, string containerId, IReadOnlyList<PortRequest> requests, HostPortChooser ports, IPAddress? requested = null)
    {
        using var tx = db.Begin();
        var network = Read($"SELECT {Columns} FROM networks WHERE name = $name", tx, ("$name", networkName)).SingleOrDefault()
            ?? throw new NoSuchNetworkException(networkName);
        var all = Allocations(tx);
        if (all.Any(a => a.Network == networkName && a.ContainerId == containerId))
            throw new ConflictException($"container {containerId[..12]} is already connected to network {networkName}");
        var chosen = ports.Choose(requests, [.. all.SelectMany(a => a.Ports.Select(p => ($"container {a.ContainerId[..12]}", p)))]);
        var onNetwork = all.Where(a => a.Network == networkName).ToList();
        var address = requested ?? AddressPool.Next(network.Subnet, network.Gateway, onNetwork.Select(a => Ipv4Prefix.ToUInt32(a.Address)).ToHashSet(), network.IpRange);
        if (requested is not null)
        {
            if (AddressPool.Refusal(network.Subnet, network.Gateway, requested) is { } refusal)
                throw new InvalidInputException($"{refusal} of network {networkName}: choose another --ip, or leave it out for a free one");
            if (onNetwork.FirstOrDefault(a => a.Address.Equals(requested)) is { } holder)
                throw new ConflictException($"address {requested} is already in use on network {networkName} by container {holder.ContainerId[..12]}: choose another --ip, or leave it out for a free one");
        }
        db.Execute("INSERT INTO ip_allocations (network, address, container_id, ports) VALUES ($network, $address, $container, $ports)", tx,
            ("$network", networkName), ("$address", address.ToString()), ("$container", containerId), ("$ports", string.Join(',', chosen.Select(p => p.Spec))));
        tx.Commit();
        return new NetworkAllocation(networkName, address, containerId, chosen);
    }

    /// <summary>Gives back every address the container holds (or only the one on <paramref name="network"/>), and says which they were.</summary>
    public IReadOnlyList<NetworkAllocation> Release(string containerId, string? network = null)
    {
        using var tx = db.Begin();
        var held = Allocations(tx).Where(a => a.ContainerId == containerId && (network is null || a.Network == network)).ToList();
        foreach (var a in held)
            db.Execute("DELETE FROM ip_allocations WHERE network = $network AND container_id = $id", tx, ("$network", a.Network), ("$id", containerId));
        tx.Commit();
        return held;
    }

    public IReadOnlyList<NetworkAllocation> Allocations() => Allocations(null);

    private List<NetworkAllocation> Allocations(SqliteTransaction? tx)
    {
        using var command = db.Command("SELECT network, address, container_id, ports FROM ip_allocations", tx);
        using var reader = command.ExecuteReader();
        var result = new List<NetworkAllocation>();
        while (reader.Read())
            result.Add(new NetworkAllocation(reader.GetString(0), IPAddress.Parse(reader.GetString(1)), reader.GetString(2),
                reader.GetString(3).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(PortBinding.Parse).ToList()));
        return result;
    }

    private List<NetworkRecord> Read(string sql, SqliteTransaction? tx, params (string, object?)[] parameters)
    {
        using var command = db.Command(sql, tx, parameters);
        using var reader = command.ExecuteReader();
        var result = new List<NetworkRecord>();
        while (reader.Read())
            result.Add(new NetworkRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), Ipv4Prefix.Parse(reader.GetString(3)),
                IPAddress.Parse(reader.GetString(4)), reader.GetInt32(5) != 0, reader.GetInt32(6) != 0, reader.IsDBNull(7) ? null : reader.GetInt32(7),
                ContainerStore.ParseTime(reader.GetString(8)), reader.IsDBNull(9) ? null : Ipv4Prefix.Parse(reader.GetString(9))));
        return result;
    }
}
