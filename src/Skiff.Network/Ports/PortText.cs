
namespace Skiff.Network.Ports;

/// <summary>Published and exposed ports as Docker prints them in `ps` and `port`.</summary>
public static class PortText
{
    /// <summary>
    /// The PORTS column: "0.0.0.0:8000-8002->80-82/tcp, 0.0.0.0:32768->53/udp, 9000/tcp". Runs of
    /// consecutive ports published to consecutive ports collapse into ranges; an exposed port that
    /// is not published is shown bare.
    /// </summary>
    public static string Column(IReadOnlyList<PortBinding> published, IEnumerable<ExposedPort> exposed)
    {
        var parts = new List<string>();
        foreach (var group in published.OrderBy(p => p.Protocol, StringComparer.Ordinal).ThenBy(p => p.HostIp, StringComparer.Ordinal).ThenBy(p => p.ContainerPort)
                     .GroupBy(p => (p.HostIp, p.Protocol)))
        {
            var run = new List<PortBinding>();
            foreach (var p in group)
            {
                if (run.Count > 0 && (p.ContainerPort != run[^1].ContainerPort + 1 || p.HostPort != run[^1].HostPort + 1))
                {
                    parts.Add(Run(run));
                    run.Clear();
                }
                run.Add(p);
            }
            if (run.Count > 0) parts.Add(Run(run));
        }
        parts.AddRange(exposed.Where(e => !published.Any(p => p.ContainerPort == e.Port && p.Protocol == e.Protocol))
            .Distinct().OrderBy(e => e.Protocol, StringComparer.Ordinal).ThenBy(e => e.Port).Select(e => e.ToString()));
        return string.Join(", ", parts);
    }

    private static string Run(List<PortBinding> run) => run.Count == 1
        ? $"{run[0].HostIp}:{run[0].HostPort}->{run[0].ContainerPort}/{run[0].Protocol}"
        : $"{run[0].HostIp}:{run[0].HostPort}-{run[^1].HostPort}->{run[0].ContainerPort}-{run[^1].ContainerPort}/{run[0].Protocol}";

    /// <summary>`skiff port CTR [PORT[/PROTO]]`: "80/tcp -> 0.0.0.0:8080" lines, or just "0.0.0.0:8080" for one port.</summary>
    public static IReadOnlyList<string> Lines(IReadOnlyList<PortBinding> published, ExposedPort? only) =>
        published.Where(p => only is not { } o || (p.ContainerPort == o.Port && p.Protocol == o.Protocol))
            .OrderBy(p => p.ContainerPort).ThenBy(p => p.Protocol, StringComparer.Ordinal)
            .Select(p => only is null ? $"{p.ContainerPort}/{p.Protocol} -> {p.HostIp}:{p.HostPort}" : $"{p.HostIp}:{p.HostPort}")
            .ToList();
}
