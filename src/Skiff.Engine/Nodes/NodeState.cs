using System.Text.Json;
using System.Text.Json.Serialization;
using Skiff.Network.Cluster;
using Skiff.Network;

namespace Skiff.Engine.Nodes;

/// <summary>
/// This host's place in a cluster, in <c>$SKIFF_ROOT/node/node.json</c>: its subnet (the default
/// bridge network's), the address peers route it through, and either the etcd it leases from or,
/// in the static form, its peers as given. Written by <c>node join</c>, read by the agent and by
/// rule generation (no MASQUERADE inside <see cref="ClusterPrefixes"/>), removed by <c>node leave</c>.
/// </summary>
public sealed record NodeState(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("subnet")] string Subnet,
    [property: JsonPropertyName("clusterCidr")] string? ClusterCidr,
    [property: JsonPropertyName("etcd")] string? Etcd,
    [property: JsonPropertyName("leaseTtlSeconds")] long LeaseTtlSeconds,
    [property: JsonPropertyName("peers")] List<StaticPeer>? Peers)
{
    [JsonIgnore] public bool IsStatic => Etcd is null;

    [JsonIgnore] public SubnetLease Lease => new(Name, Address, Subnet);

    /// <summary>Where containers of the cluster live: the cluster CIDR, or in the static form this node's subnet and its peers'.</summary>
    [JsonIgnore]
    public IReadOnlyList<Ipv4Prefix> ClusterPrefixes => ClusterCidr is { } cidr
        ? [Ipv4Prefix.Parse(cidr)]
        : [Ipv4Prefix.Parse(Subnet), .. (Peers ?? []).Select(p => Ipv4Prefix.Parse(p.Subnet))];

    public static string Directory(SkiffPaths paths) => Path.Join(paths.Root, "node");

    private static string FilePath(SkiffPaths paths) => Path.Join(Directory(paths), "node.json");

    public static NodeState? Load(SkiffPaths paths) =>
        File.Exists(FilePath(paths)) ? JsonSerializer.Deserialize(File.ReadAllBytes(FilePath(paths)), NodeJsonContext.Default.NodeState) : null;

    public void Save(SkiffPaths paths)
    {
        System.IO.Directory.CreateDirectory(Directory(paths));
        var temporary = FilePath(paths) + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(this, NodeJsonContext.Default.NodeState));
        File.Move(temporary, FilePath(paths), overwrite: true);
    }

    public static void Delete(SkiffPaths paths) => File.Delete(FilePath(paths));
}

/// <summary>A peer of the static form: <c>--peer SUBNET=ADDRESS</c>.</summary>
public sealed record StaticPeer(
    [property: JsonPropertyName("subnet")] string Subnet,
    [property: JsonPropertyName("address")] string Address)
{
    public static StaticPeer Parse(string text)
    {
        var equals = text.IndexOf('=');
        try
        {
            if (equals > 0)
            {
                var subnet = Ipv4Prefix.Parse(text[..equals]);
                var address = Ipv4Prefix.ToAddress(Ipv4Prefix.ParseAddress(text[(equals + 1)..]));
                return new StaticPeer(subnet.ToString(), address.ToString());
            }
        }
        catch (Linux.InvalidInputException)
        {
        }
        throw new Linux.InvalidInputException($"--peer {text}: give the peer's container subnet and its address as SUBNET=ADDRESS, e.g. 172.20.2.0/24=172.16.91.230");
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NodeState))]
public sealed partial class NodeJsonContext : JsonSerializerContext;
