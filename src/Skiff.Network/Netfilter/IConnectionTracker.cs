using System.Net;

namespace Skiff.Network.Netfilter;

/// <summary>The kernel's connection tracking, behind a seam: see <see cref="ConntrackCleaner"/>.</summary>
public interface IConnectionTracker
{
    /// <summary>Forgets the tracked connections of a container's address and published ports; the number forgotten.</summary>
    int Forget(IPAddress address, IReadOnlyList<PortBinding> ports);
}
