using Skiff.Images;
using Skiff.Network;
using Skiff.Network.Ports;

namespace Skiff.Engine.Containers;

/// <summary>A container's ports: the ones it exposes (image and --expose), and the ones it publishes while it runs.</summary>
public static class PublishedPorts
{
    /// <summary>
    /// At create, as Docker does: the container exposes the image's ports and --expose's (kept in
    /// <see cref="RunRequest.Expose"/>, Docker's Config.ExposedPorts), and -P publishes every one of
    /// them that no -p names on an ephemeral host port.
    /// </summary>
    public static RunRequest AtCreate(RunRequest request, IReadOnlyList<string>? imageExposed)
    {
        var exposed = (imageExposed ?? []).Concat(request.Expose).Concat(request.Publish.Select(p => $"{p.ContainerPort}/{p.Protocol}"))
            .SelectMany(ExposedPort.Parse).Distinct().ToList();
        return request with
        {
            Expose = [.. exposed.Select(e => e.ToString())],
            Publish = !request.PublishAll ? request.Publish : [.. request.Publish, .. exposed
                .Where(e => !request.Publish.Any(p => p.ContainerPort == e.Port && p.Protocol == e.Protocol))
                .Select(PortRequest.Exposed)],
        };
    }

    public static IEnumerable<ExposedPort> Exposed(RunRequest request) => request.Expose.SelectMany(ExposedPort.Parse);

    /// <summary>The host ports each running container holds now, by container id (none once it stopped, as in Docker).</summary>
    public static ILookup<string, PortBinding> Current(ContainerEngine engine) =>
        engine.Networking.Store.Allocations().SelectMany(a => a.Ports.Select(p => (a.ContainerId, p))).ToLookup(x => x.ContainerId, x => x.p);
}
