using System.Text.Json;
using Skiff.Engine.Networks;
using Skiff.Engine.State;
using Skiff.Network.Bridge;

namespace Skiff.Engine.Containers;

/// <summary>
/// Docker's NetworkSettings of <c>inspect</c>: the published ports, and an entry per network with
/// the container's address, gateway and MAC while it runs (empty strings while it does not, as in
/// Docker); the top-level address fields describe the default network only, as Docker's deprecated ones do.
/// </summary>
public static class NetworkSettingsInspection
{
    public static void Write(Utf8JsonWriter w, ContainerRecord c, ContainerEngine engine)
    {
        var store = engine.Networking.Store;
        var held = store.Allocations().Where(a => a.ContainerId == c.Id).ToDictionary(a => a.Network);
        var networks = store.List().ToDictionary(n => n.Name);
        w.WriteStartObject("NetworkSettings");
        w.WriteString("SandboxKey", c.Pid > 0 && c.Request.Network != NetworkMode.Host ? $"/proc/{c.Pid}/ns/net" : "");
        PortsInspection.WriteCurrent(w, c.Request, [.. held.Values.SelectMany(a => a.Ports)]);
        var onDefault = held.GetValueOrDefault(ContainerNetworking.DefaultName);
        WriteAddress(w, onDefault, onDefault is null ? null : networks.GetValueOrDefault(onDefault.Network));
        w.WriteStartObject("Networks");
        var entries = c.Request.Network switch
        {
            NetworkMode.Bridge => ContainerNetworking.Attachments(c.Request),
            NetworkMode.Container => [],
            _ => [new NetworkAttachment(c.Request.Network.ToString().ToLowerInvariant())],
        };
        foreach (var attachment in entries)
        {
            var network = networks.GetValueOrDefault(attachment.Network);
            var allocation = held.GetValueOrDefault(attachment.Network);
            w.WriteStartObject(attachment.Network);
            if (attachment.Address is { } chosen)
            {
                w.WriteStartObject("IPAMConfig");
                w.WriteString("IPv4Address", chosen);
                w.WriteEndObject();
            }
            else w.WriteNull("IPAMConfig");
            if (attachment.Aliases.Count > 0)
            {
                w.WriteStartArray("Aliases");
                foreach (var alias in attachment.Aliases) w.WriteStringValue(alias);
                w.WriteEndArray();
            }
            else w.WriteNull("Aliases");
            w.WriteString("NetworkID", network?.Id ?? "");
            WriteAddress(w, allocation, network);
            if (network is not null && attachment.Network != ContainerNetworking.DefaultName)
            {
                w.WriteStartArray("DNSNames");
                foreach (var name in attachment.Aliases.Prepend(c.Name)) w.WriteStringValue(name);
                w.WriteEndArray();
            }
            else w.WriteNull("DNSNames");
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteAddress(Utf8JsonWriter w, NetworkAllocation? allocation, NetworkRecord? network)
    {
        var live = allocation is not null && network is not null;
        w.WriteString("Gateway", live ? network!.Gateway.ToString() : "");
        w.WriteString("IPAddress", allocation?.Address.ToString() ?? "");
        w.WriteNumber("IPPrefixLen", live ? network!.Subnet.Length : 0);
        w.WriteString("MacAddress", allocation is null ? "" : BridgeDriver.MacAddress(allocation.Address));
    }
}
