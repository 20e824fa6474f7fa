using System.Net;

namespace Skiff.Images.Registry;

/// <summary>Where a registry domain is reached: Docker Hub's API host, and HTTPS unless the registry
/// is on loopback or the user named it insecure (Docker's rule, minus the silent fallback).</summary>
public static class RegistryEndpoint
{
    public static Uri BaseUri(string domain, IReadOnlyCollection<string> insecureRegistries)
    {
        var host = domain == ImageReference.DefaultDomain ? "registry-1.docker.io" : domain;
        var plain = IsLoopback(domain) || insecureRegistries.Contains(domain, StringComparer.OrdinalIgnoreCase);
        return new Uri($"{(plain ? "http" : "https")}://{host}/");
    }

    public static bool IsLoopback(string domain)
    {
        var host = domain.StartsWith('[') ? domain[1..domain.IndexOf(']')] : domain.Split(':')[0];
        return host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }
}
