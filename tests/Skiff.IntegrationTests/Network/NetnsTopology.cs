using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests.Network;

/// <summary>
/// The throwaway network of the differential tests, all inside the sandbox: a "host" namespace
/// with a bridge and two container-like namespaces on it, and an "outside" namespace behind a
/// veth uplink. Neighbours and bridge ports are static so that one sent packet is one kernel
/// traversal, with no ARP wait and no flooding. The peers drop whatever they receive (raw table)
/// and the host swallows its local UDP and ICMP, so no reply ever adds to the host's counters.
/// </summary>
public sealed partial class NetnsTopology : IDisposable
{
    public const string Bridge = "skiff0", Uplink = "uplink";
    public static readonly IPAddress BridgeAddress = IPAddress.Parse("172.30.0.1"), Container1 = IPAddress.Parse("172.30.0.2"),
        Container2 = IPAddress.Parse("172.30.0.4"), UplinkAddress = IPAddress.Parse("198.51.100.1"), Outside = IPAddress.Parse("198.51.100.2");
    /// <summary>Every port a test packet may end on at the host: it has a UDP socket on each, so nothing answers with port-unreachable.</summary>
    public static readonly int[] HostUdpPorts = [53, 80, 443, 5000, 5353, 8080];

    private readonly string _prefix = $"skt{Environment.ProcessId % 10000}{Random.Shared.Next(100, 999)}";
    private readonly List<Socket> _hostSockets = [];
    private readonly List<string> _namespaces = [];

    public string Host => _prefix + "h";
    public string C1 => _prefix + "c1";
    public string C2 => _prefix + "c2";
    public string Out => _prefix + "o";

    public NetnsTopology()
    {
        try { Build(); }
        catch { Dispose(); throw; }
    }

    private void Build()
    {
        foreach (var ns in new[] { Host, C1, C2, Out })
        {
            Must($"ip netns add {ns}");
            _namespaces.Add(ns);
            Must($"ip -n {ns} link set lo up");
        }
        Must($"ip -n {Host} link add {Bridge} address 02:00:00:00:01:01 type bridge && ip -n {Host} addr add {BridgeAddress}/16 dev {Bridge} && ip -n {Host} link set {Bridge} up");
        Port(C1, "vc1", "02:00:00:00:02:02", Container1);
        Port(C2, "vc2", "02:00:00:00:04:04", Container2);
        Must($"ip -n {Host} link add {Uplink} address 02:00:00:00:0a:01 type veth peer name eth0 address 02:00:00:00:0a:02 netns {Out}");
        Must($"ip -n {Host} addr add {UplinkAddress}/24 dev {Uplink} && ip -n {Host} link set {Uplink} up");
        Must($"ip -n {Out} addr add {Outside}/24 dev eth0 && ip -n {Out} link set eth0 up && ip -n {Out} route add 172.30.0.0/16 via {UplinkAddress}");
        Must($"ip -n {Out} neigh replace {UplinkAddress} lladdr 02:00:00:00:0a:01 dev eth0 nud permanent");
        Must($"ip -n {Host} neigh replace {Outside} lladdr 02:00:00:00:0a:02 dev {Uplink} nud permanent");
        // No rate limit on the ICMP errors REJECT sends, and no ICMP redirects: each would make the kernel's count depend on timing.
        Must($"ip netns exec {Host} sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward; echo 1 > /proc/sys/net/ipv4/icmp_echo_ignore_all; "
             + "echo 0 > /proc/sys/net/ipv4/icmp_ratelimit; echo 1000000 > /proc/sys/net/ipv4/icmp_msgs_per_sec; echo 1000000 > /proc/sys/net/ipv4/icmp_msgs_burst; "
             + "echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables; for f in /proc/sys/net/ipv4/conf/*/rp_filter /proc/sys/net/ipv4/conf/*/send_redirects; do echo 0 > $f; done'");
        foreach (var peer in new[] { C1, C2, Out })
            Must($"ip netns exec {peer} sh -c 'echo 1 > /proc/sys/net/ipv4/icmp_echo_ignore_all' && ip netns exec {peer} iptables -t raw -A PREROUTING -j DROP");
        InNamespace(Host, () =>
        {
            foreach (var port in HostUdpPorts)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(new IPEndPoint(IPAddress.Any, port));
                _hostSockets.Add(socket);
            }
        });
    }

    private void Port(string ns, string hostSide, string mac, IPAddress address)
    {
        Must($"ip -n {Host} link add {hostSide} type veth peer name eth0 address {mac} netns {ns}");
        Must($"ip -n {Host} link set {hostSide} master {Bridge} && ip -n {Host} link set {hostSide} up");
        Must($"ip -n {ns} addr add {address}/16 dev eth0 && ip -n {ns} link set eth0 up && ip -n {ns} route add default via {BridgeAddress}");
        Must($"ip -n {ns} neigh replace {BridgeAddress} lladdr 02:00:00:00:01:01 dev eth0 nud permanent");
        Must($"ip -n {Host} neigh replace {address} lladdr {mac} dev {Bridge} nud permanent");
        Must($"bridge -n {Host} fdb replace {mac} dev {hostSide} master static");
        foreach (var (other, otherMac) in new[] { (Container1, "02:00:00:00:02:02"), (Container2, "02:00:00:00:04:04") })
            if (!other.Equals(address)) Must($"ip -n {ns} neigh replace {other} lladdr {otherMac} dev eth0 nud permanent");
    }

    public RunResult Exec(string ns, string commandLine) => Sh($"ip netns exec {ns} {commandLine}");

    public static void Must(string commandLine)
    {
        var r = Sh(commandLine);
        if (r.ExitCode != 0) throw new InvalidOperationException($"{commandLine}: {r}");
    }

    /// <summary>Runs <paramref name="action"/> on a fresh thread that has joined the namespace: sockets it creates stay in that namespace.</summary>
    public static void InNamespace(string ns, Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var fd = File.OpenHandle($"/run/netns/{ns}", FileMode.Open, FileAccess.Read);
                if (setns((int)fd.DangerousGetHandle(), 0x40000000) != 0)
                    throw new InvalidOperationException($"setns {ns}: errno {Marshal.GetLastPInvokeError()}");
                action();
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new InvalidOperationException($"in namespace {ns}: {failure.Message}", failure);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    public void Dispose()
    {
        foreach (var socket in _hostSockets) socket.Dispose();
        foreach (var ns in _namespaces) Sh($"ip netns delete {ns}");
    }
}
