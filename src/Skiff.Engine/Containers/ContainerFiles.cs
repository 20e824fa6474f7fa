using System.Net;
using System.Text;
using Skiff.Engine.Networks;
using Skiff.Linux;

namespace Skiff.Engine.Containers;

/// <summary>The per-container /etc/hostname, /etc/hosts and /etc/resolv.conf, bind-mounted over the image's.</summary>
public static class ContainerFiles
{
    public static void Write(string bundleDir, string hostname, RunRequest request)
    {
        File.WriteAllText(Path.Join(bundleDir, "hostname"), hostname + "\n");
        WriteHosts(bundleDir, Hosts(request, hostGateway: null, []));
        var hostResolv = File.Exists("/etc/resolv.conf") ? File.ReadAllText("/etc/resolv.conf") : "";
        File.WriteAllText(Path.Join(bundleDir, "resolv.conf"), ResolvConf(hostResolv, request.Names, request.Network == NetworkMode.Host));
    }

    /// <summary>
    /// Rewrites the hosts file in place (same inode): it is bind-mounted into the running
    /// container, so a new file renamed over it would never be seen there.
    /// </summary>
    public static void WriteHosts(string bundleDir, string content)
    {
        using var file = new FileStream(Path.Join(bundleDir, "hosts"), FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
        var bytes = Encoding.UTF8.GetBytes(content);
        file.Write(bytes);
        file.SetLength(bytes.Length);
    }

    /// <summary>
    /// Docker's hosts file: the defaults (or the host's own file with --network host), then
    /// --add-host entries, then <paramref name="entries"/> (the container's own address and its
    /// peers'). A host-gateway entry waits for the gateway, known once the container has an address.
    /// </summary>
    public static string Hosts(RunRequest request, IPAddress? hostGateway, IEnumerable<string> entries)
    {
        var hosts = new StringBuilder(request.Network == NetworkMode.Host && File.Exists("/etc/hosts") ? File.ReadAllText("/etc/hosts") : DockerDefaults.HostsFile);
        if (hosts.Length > 0 && hosts[^1] != '\n') hosts.Append('\n');
        foreach (var (name, address) in request.Names.ExtraHosts.Select(NameSettings.ParseExtraHost))
        {
            var resolved = address == NameSettings.HostGateway ? hostGateway?.ToString() : address;
            if (resolved is not null) hosts.Append(resolved).Append('\t').Append(name).Append('\n');
        }
        foreach (var entry in entries) hosts.Append(entry).Append('\n');
        return hosts.ToString();
    }

    /// <summary>
    /// The host's resolver settings minus loopback name servers, which mean nothing inside another
    /// network namespace (Docker falls back to public resolvers when none is left); --dns,
    /// --dns-search and --dns-option replace the host's lines of their kind.
    /// </summary>
    public static string ResolvConf(string host, NameSettings? names = null, bool hostNetwork = false)
    {
        names ??= new NameSettings();
        var lines = host.Split('\n').ToList();
        if (!hostNetwork) lines.RemoveAll(l => Keyword(l) == "nameserver" && IsLoopback(l));
        if (names.Servers.Count > 0)
        {
            lines.RemoveAll(l => Keyword(l) == "nameserver");
            lines.AddRange(names.Servers.Select(s => $"nameserver {s}"));
        }
        if (names.Search.Count > 0)
        {
            lines.RemoveAll(l => Keyword(l) is "search" or "domain");
            // "--dns-search ." means no search domain at all, as in Docker.
            if (names.Search.Any(s => s != ".")) lines.Add($"search {string.Join(' ', names.Search.Where(s => s != "."))}");
        }
        if (names.Options.Count > 0)
        {
            lines.RemoveAll(l => Keyword(l) == "options");
            lines.Add($"options {string.Join(' ', names.Options)}");
        }
        if (!hostNetwork && !lines.Any(l => Keyword(l) == "nameserver"))
            lines.AddRange(["nameserver 8.8.8.8", "nameserver 8.8.4.4"]);
        return string.Join('\n', lines.Where(l => l.Length > 0)) + "\n";
    }

    private static string Keyword(string line) => line.TrimStart().Split((char[])[' ', '\t'], 2)[0];

    private static bool IsLoopback(string line)
    {
        var parts = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 1 && (parts[1].StartsWith("127.", StringComparison.Ordinal) || parts[1] == "::1");
    }

    public static string DefaultHostname(string id, NetworkMode network) =>
        network == NetworkMode.Host ? ProcessControl.Hostname() : id[..12];
}
