using System.Net;
using Skiff.Linux.Netlink;
using Skiff.Network.HostState;
using Skiff.Network.Netfilter;

namespace Skiff.UnitTests.Network;

/// <summary>
/// A hand-made host like the integration topology: bridge skiff0 (172.30.0.1/16) with ports vc1
/// (container 172.30.0.2) and vc2 (172.30.0.4), and an uplink 198.51.100.1/24 with a default route.
/// </summary>
internal static class TestHost
{
    private static readonly byte[] Mac1 = [2, 0, 0, 0, 2, 2], Mac2 = [2, 0, 0, 0, 4, 4];

    public static HostSnapshot With(string rules, IReadOnlyList<ConntrackEntry>? conntrack = null) => new()
    {
        Ruleset = IptablesSaveParser.Parse(rules),
        Links =
        [
            new NetworkLink(1, "lo", NetworkLink.IffUp | NetworkLink.IffLoopback, null, null, null),
            new NetworkLink(2, "skiff0", NetworkLink.IffUp, null, "bridge", null),
            new NetworkLink(3, "uplink", NetworkLink.IffUp, null, "veth", null),
            new NetworkLink(4, "vc1", NetworkLink.IffUp, 2, "veth", null),
            new NetworkLink(5, "vc2", NetworkLink.IffUp, 2, "veth", null),
        ],
        Addresses =
        [
            new InterfaceAddress(1, IPAddress.Loopback, 8, 254, null),
            new InterfaceAddress(2, Ip("172.30.0.1"), 16, 0, null),
            new InterfaceAddress(3, Ip("198.51.100.1"), 24, 0, null),
        ],
        Routes =
        [
            Route(RouteTables.Local, RouteType.Local, "127.0.0.0", 8, 1),
            Route(RouteTables.Local, RouteType.Local, "172.30.0.1", 32, 2),
            Route(RouteTables.Local, RouteType.Broadcast, "172.30.255.255", 32, 2),
            Route(RouteTables.Local, RouteType.Local, "198.51.100.1", 32, 3),
            Route(RouteTables.Main, RouteType.Unicast, "172.30.0.0", 16, 2, src: "172.30.0.1"),
            Route(RouteTables.Main, RouteType.Unicast, "198.51.100.0", 24, 3, src: "198.51.100.1"),
            Route(RouteTables.Main, RouteType.Unicast, null, 0, 3, gateway: "198.51.100.254"),
            Route(RouteTables.Main, RouteType.Blackhole, "192.0.2.0", 24, null),
        ],
        Neighbors = [new Neighbor(2, 2, Ip("172.30.0.2"), Mac1, 0x80, null), new Neighbor(2, 2, Ip("172.30.0.4"), Mac2, 0x80, null)],
        BridgeForwarding = [new Neighbor(7, 4, null, Mac1, 0x80, 2), new Neighbor(7, 5, null, Mac2, 0x80, 2)],
        Conntrack = conntrack ?? [],
        IpForwarding = true,
        BridgeNetfilter = true,
    };

    public static IPAddress Ip(string text) => IPAddress.Parse(text);

    private static Route Route(uint table, RouteType type, string? destination, int length, int? device, string? src = null, string? gateway = null) =>
        new(table, type, destination is null ? null : Ip(destination), length, gateway is null ? null : Ip(gateway), device,
            src is null ? null : Ip(src), 0, 0);
}
