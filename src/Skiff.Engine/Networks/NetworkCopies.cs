using Skiff.Network;
using System.Net;
using System.Text.Json;
using Skiff.Engine.State;
using Skiff.Network.Bridge;
using Skiff.Network.Netfilter;

namespace Skiff.Engine.Networks;

/// <summary>
/// The copies <c>system repair</c> rebuilds networks and addresses from (see <see cref="RecordCopies"/>):
/// a file per network, written at its creation and deleted with it, and per container the addresses
/// and host ports it holds, written each time they change.
/// </summary>
public static class NetworkCopies
{
    public static void WriteNetwork(string root, NetworkRecord n)
    {
        Directory.CreateDirectory(RecordCopies.NetworksDirectory(root));
        RecordCopies.Write(RecordCopies.NetworkFile(root, n.Name), json =>
        {
            json.WriteStartObject();
            json.WriteString("name", n.Name);
            json.WriteString("id", n.Id);
            json.WriteString("bridge", n.Bridge);
            json.WriteString("subnet", n.Subnet.ToString());
            json.WriteString("gateway", n.Gateway.ToString());
            json.WriteBoolean("internal", n.Internal);
            json.WriteBoolean("icc", n.InterContainer);
            if (n.Mtu is { } mtu) json.WriteNumber("mtu", mtu);
            json.WriteString("created", ContainerStore.FormatTime(n.Created));
            if (n.IpRange is { } range) json.WriteString("ipRange", range.ToString());
            json.WriteEndObject();
        });
    }

    public static void DeleteNetwork(string root, string name) => File.Delete(RecordCopies.NetworkFile(root, name));

    /// <summary>Every network that has a copy; the unreadable ones by file name.</summary>
    public static (IReadOnlyList<NetworkRecord> Networks, IReadOnlyList<string> Unreadable) ReadNetworks(string root)
    {
        var networks = new List<NetworkRecord>();
        var unreadable = new List<string>();
        var directory = RecordCopies.NetworksDirectory(root);
        if (!Directory.Exists(directory)) return (networks, unreadable);
        foreach (var file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(file));
                var o = document.RootElement;
                networks.Add(new NetworkRecord(o.GetProperty("name").GetString()!, o.GetProperty("id").GetString()!, o.GetProperty("bridge").GetString()!,
                    Ipv4Prefix.Parse(o.GetProperty("subnet").GetString()!), IPAddress.Parse(o.GetProperty("gateway").GetString()!),
                    o.GetProperty("internal").GetBoolean(), o.GetProperty("icc").GetBoolean(),
                    o.TryGetProperty("mtu", out var mtu) ? mtu.GetInt32() : null, ContainerStore.ParseTime(o.GetProperty("created").GetString()!),
                    o.TryGetProperty("ipRange", out var range) ? Ipv4Prefix.Parse(range.GetString()!) : null));
            }
            catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
            {
                unreadable.Add(file);
            }
        }
        return (networks, unreadable);
    }

    /// <summary>Writes what the container holds now; nothing once its directory is gone (removed).</summary>
    public static void WriteEndpoints(string root, string containerId, IEnumerable<NetworkAllocation> held)
    {
        if (!Directory.Exists(Path.Join(root, "containers", containerId))) return;
        RecordCopies.Write(RecordCopies.EndpointsFile(root, containerId), json =>
        {
            json.WriteStartArray();
            foreach (var a in held)
            {
                json.WriteStartObject();
                json.WriteString("network", a.Network);
                json.WriteString("address", a.Address.ToString());
                json.WriteString("ports", string.Join(',', a.Ports.Select(p => p.Spec)));
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
    }

    /// <summary>The addresses the container held when its copy was last written; none when there is no readable copy.</summary>
    public static IReadOnlyList<NetworkAllocation> ReadEndpoints(string root, string containerId)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(RecordCopies.EndpointsFile(root, containerId)));
            return document.RootElement.EnumerateArray().Select(e => new NetworkAllocation(
                e.GetProperty("network").GetString()!, IPAddress.Parse(e.GetProperty("address").GetString()!), containerId,
                e.GetProperty("ports").GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(PortBinding.Parse).ToList())).ToList();
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return [];
        }
    }
}
