using System.Text.Json;
using Skiff.Engine.Networks;
using Skiff.Network;

namespace Skiff.Engine.Containers;

/// <summary>The port parts of Docker's ContainerJSON: HostConfig.PortBindings, Config.ExposedPorts, NetworkSettings.Ports.</summary>
public static class PortsInspection
{
    /// <summary>What -p asked for ("80/tcp": [{"HostIp": "", "HostPort": "8080"}]; an ephemeral port is "").</summary>
    public static void WriteRequested(Utf8JsonWriter w, RunRequest r)
    {
        w.WriteStartObject("PortBindings");
        foreach (var group in r.Publish.GroupBy(p => $"{p.ContainerPort}/{p.Protocol}"))
        {
            w.WriteStartArray(group.Key);
            foreach (var p in group)
                Binding(w, p.HostIp == Network.Ports.PortRequest.AnyAddress ? "" : p.HostIp,
                    p.Ephemeral ? "" : p.HostFirst == p.HostLast ? $"{p.HostFirst}" : $"{p.HostFirst}-{p.HostLast}");
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteBoolean("PublishAllPorts", r.PublishAll);
    }

    public static void WriteExposed(Utf8JsonWriter w, RunRequest r)
    {
        w.WriteStartObject("ExposedPorts");
        foreach (var port in PublishedPorts.Exposed(r))
        {
            w.WriteStartObject(port.ToString());
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>Every exposed port, with the host ports it is published on while the container runs, null otherwise.</summary>
    public static void WriteCurrent(Utf8JsonWriter w, RunRequest r, IReadOnlyList<PortBinding> published)
    {
        w.WriteStartObject("Ports");
        foreach (var port in PublishedPorts.Exposed(r))
        {
            var bindings = published.Where(p => p.ContainerPort == port.Port && p.Protocol == port.Protocol).ToList();
            if (bindings.Count == 0)
            {
                w.WriteNull(port.ToString());
                continue;
            }
            w.WriteStartArray(port.ToString());
            foreach (var p in bindings) Binding(w, p.HostIp, $"{p.HostPort}");
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void Binding(Utf8JsonWriter w, string ip, string port)
    {
        w.WriteStartObject();
        w.WriteString("HostIp", ip);
        w.WriteString("HostPort", port);
        w.WriteEndObject();
    }
}
