using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests.Network;

/// <summary>
/// Another machine on the "host"'s network: a namespace joined to the sandbox by a veth pair,
/// 10.95.0.2 on its side and 10.95.0.1 (the host's address) on ours, with no route to any
/// container subnet, so it reaches containers only through published ports.
/// </summary>
public sealed class OutsideMachine : IDisposable
{
    public const string HostAddress = "10.95.0.1";
    private readonly string _name = BridgeNetworkTests.Unique("out");

    public OutsideMachine()
    {
        var link = "vo" + _name[3..];
        BridgeNetworkTests.Ok(Sh($"ip netns add {_name} && ip link add {link} type veth peer name eth0 netns {_name} "
            + $"&& ip addr add {HostAddress}/24 dev {link} && ip link set {link} up "
            + $"&& ip -n {_name} addr add 10.95.0.2/24 dev eth0 && ip -n {_name} link set eth0 up && ip -n {_name} link set lo up"));
    }

    /// <summary>Runs a bash command line on the outside machine.</summary>
    public RunResult Bash(string commandLine) => Run("ip", ["netns", "exec", _name, "bash", "-c", commandLine]);

    public void Dispose() => Sh($"ip netns del {_name}");
}
