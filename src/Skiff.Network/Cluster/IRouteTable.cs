namespace Skiff.Network.Cluster;

/// <summary>
/// The main route table, as far as Skiff's own routes go: it lists, adds and removes only routes
/// marked with <see cref="SkiffProtocol"/>, so routes made by anyone else are never seen nor touched.
/// </summary>
public interface IRouteTable
{
    /// <summary>
    /// The rtm_protocol Skiff marks its peer routes with (`ip route show proto 73`). The kernel's
    /// rt_protos leaves 5-254 to routing daemons; 73 is not one the iproute2 table names.
    /// </summary>
    const byte SkiffProtocol = 73;

    IReadOnlyList<PeerRoute> Owned();

    void Add(PeerRoute route);

    void Remove(PeerRoute route);
}
