using Skiff.Linux;

namespace Skiff.Engine.Containers;

/// <summary>The per-container /etc/hostname, /etc/hosts and /etc/resolv.conf, bind-mounted over the image's.</summary>
public static class ContainerFiles
{
    public static void Write(string bundleDir, string hostname, NetworkMode network)
    {
        File.WriteAllText(Path.Join(bundleDir, "hostname"), hostname + "\n");
        File.WriteAllText(Path.Join(bundleDir, "hosts"), network == NetworkMode.Host && File.Exists("/etc/hosts")
            ? File.ReadAllText("/etc/hosts")
            : DockerDefaults.HostsFile);
        var hostResolv = File.Exists("/etc/resolv.conf") ? File.ReadAllText("/etc/resolv.conf") : "";
        File.WriteAllText(Path.Join(bundleDir, "resolv.conf"), network == NetworkMode.Host ? hostResolv : ResolvConf(hostResolv));
    }

    /// <summary>
    /// The host's resolver settings minus loopback name servers, which mean nothing inside another
    /// network namespace; Docker falls back to public resolvers when none is left.
    /// </summary>
    public static string ResolvConf(string host)
    {
        var lines = host.Split('\n')
            .Where(l => !(l.TrimStart().StartsWith("nameserver", StringComparison.Ordinal) && IsLoopback(l)))
            .ToList();
        if (!lines.Any(l => l.TrimStart().StartsWith("nameserver", StringComparison.Ordinal)))
            lines.AddRange(["nameserver 8.8.8.8", "nameserver 8.8.4.4"]);
        return string.Join('\n', lines.Where(l => l.Length > 0)) + "\n";
    }

    private static bool IsLoopback(string line)
    {
        var parts = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 1 && (parts[1].StartsWith("127.", StringComparison.Ordinal) || parts[1] == "::1");
    }

    public static string DefaultHostname(string id, NetworkMode network) =>
        network == NetworkMode.Host ? ProcessControl.Hostname() : id[..12];
}
