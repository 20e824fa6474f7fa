using System.Net;
using System.Text.Json.Serialization;

namespace Skiff.Network.Cluster;

/// <summary>The cluster's address plan, written once by <c>node init</c>: every node's subnet is cut from <see cref="Cidr"/>.</summary>
public sealed record ClusterConfig(
    [property: JsonPropertyName("cidr")] string Cidr,
    [property: JsonPropertyName("subnetLength")] int SubnetLength)
{
    public Ipv4Prefix Prefix => Ipv4Prefix.Parse(Cidr);

    /// <summary>Checks what <c>node init</c> was given; a bad value is named with the fix.</summary>
    public static ClusterConfig Create(string cidr, int subnetLength)
    {
        Ipv4Prefix prefix;
        try
        {
            prefix = Ipv4Prefix.Parse(cidr);
        }
        catch (Linux.InvalidInputException)
        {
            throw new Linux.InvalidInputException($"--cluster-cidr {cidr}: give an IPv4 network such as 172.20.0.0/16");
        }
        if (subnetLength is < 8 or > 29 || subnetLength <= prefix.Length)
            throw new Linux.InvalidInputException($"--subnet-size {subnetLength}: a node's subnet must be a prefix length between {prefix.Length + 1} and 29 inside {prefix}");
        return new ClusterConfig(prefix.ToString(), subnetLength);
    }
}

/// <summary>One node's lease: its container subnet and the address peers route that subnet through.</summary>
public sealed record SubnetLease(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("subnet")] string Subnet)
{
    [JsonIgnore] public long LeaseId { get; init; }
    [JsonIgnore] public Ipv4Prefix Prefix => Ipv4Prefix.Parse(Subnet);
    [JsonIgnore] public IPAddress Gateway => IPAddress.Parse(Address);
}

[JsonSerializable(typeof(ClusterConfig))]
[JsonSerializable(typeof(SubnetLease))]
public sealed partial class ClusterJsonContext : JsonSerializerContext;
