using System.Net;
using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.Networks;
using Skiff.Engine.State;
using Skiff.Linux;
using Skiff.Linux.Netlink;
using Skiff.Network;
using Skiff.Network.Netfilter;
using Skiff.Network.Ports;

namespace Skiff.UnitTests.Engine;

/// <summary>
/// ContainerNetworking's decisions with the kernel faked: what is undone when wiring fails, when
/// rules are rebuilt instead of changed, and that addresses are never left held by a failure.
/// The records are a real state database; network names are not hex, so none is taken for an id prefix.
/// </summary>
public sealed class ContainerNetworkingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("skiff-networking").FullName;
    private readonly StateDatabase _db;
    private readonly FakeDriver _driver = new();
    private readonly FakeFirewall _firewall = new();
    private readonly FakeConntrack _conntrack = new();
    private readonly ContainerNetworking _networking;
    private static readonly string Id = new('c', 64);

    public ContainerNetworkingTests()
    {
        _db = new StateDatabase(_root);
        _networking = new ContainerNetworking(new NetworkStore(_db), _root, _driver, _firewall, _conntrack,
            new HostPortChooser(_ => false, (32768, 60999)));
        _networking.Create(new NetworkCreateRequest("north", "10.9.0.0/24"));
        _networking.Create(new NetworkCreateRequest("south", "10.10.0.0/24"));
        _firewall.Calls.Clear();
        _driver.Calls.Clear();
    }

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private static RunRequest OnNetworks(params string[] networks) => new()
    {
        Image = "busybox",
        Networks = networks.Select(n => new NetworkAttachment(n)).ToList(),
        Publish = [new PortRequest(PortRequest.AnyAddress, 8080, 8080, 80, "tcp")],
    };

    private IReadOnlyList<NetworkAllocation> Held => _networking.Store.Allocations().Where(a => a.ContainerId == Id).ToList();

    [Fact]
    public void Start_with_a_published_port_adds_only_its_endpoint_and_forgets_stale_connections()
    {
        _networking.Connect(Id, OnNetworks("north"), initPid: 4242);
        Assert.Equal(["add 10.9.0.2:8080"], _firewall.Calls);
        Assert.Equal([IPAddress.Parse("10.9.0.2")], _conntrack.Forgotten);
        Assert.Equal(["connect north 4242 vethcccccccc eth0 10.9.0.2"], _driver.Calls.Where(c => c.StartsWith("connect", StringComparison.Ordinal)));
    }

    [Fact]
    public void Start_without_ports_on_an_existing_bridge_runs_no_firewall_change()
    {
        _networking.Connect(Id, OnNetworks("north") with { Publish = [] }, initPid: 4242);
        Assert.Empty(_firewall.Calls);
        Assert.Single(Held);
    }

    [Fact]
    public void A_bridge_made_again_rebuilds_every_rule_instead_of_adding_the_endpoint()
    {
        _driver.Recreated.Add("north");
        _networking.Connect(Id, OnNetworks("north"), initPid: 4242);
        Assert.Equal(["rebuild north,south 10.9.0.2:8080"], _firewall.Calls);
    }

    [Fact]
    public void Wiring_that_fails_on_the_second_network_leaves_no_address_rule_or_host_interface()
    {
        _driver.FailConnect = "eth1";
        Assert.Throws<SyscallException>(() => _networking.Connect(Id, OnNetworks("north", "south"), initPid: 4242));
        Assert.Empty(Held);
        Assert.Equal(["add 10.9.0.2:8080", "remove 10.9.0.2:8080"], _firewall.Calls);
        Assert.Contains("remove-link vethcccccccc1", _driver.Calls);
    }

    [Fact]
    public void Rules_out_of_step_when_adding_are_rebuilt_from_the_records_with_the_new_endpoint()
    {
        _firewall.RefuseChanges = true;
        _networking.Connect(Id, OnNetworks("north"), initPid: 4242);
        Assert.Equal(["add 10.9.0.2:8080 refused", "rebuild north,south 10.9.0.2:8080"], _firewall.Calls);
        Assert.Single(Held);
    }

    [Fact]
    public void A_failed_rebuild_gives_the_address_back_and_wires_nothing()
    {
        _firewall.RefuseChanges = _firewall.RefuseRebuilds = true;
        Assert.Throws<IptablesException>(() => _networking.Connect(Id, OnNetworks("north"), initPid: 4242));
        Assert.Empty(Held);
        Assert.DoesNotContain(_driver.Calls, c => c.StartsWith("connect", StringComparison.Ordinal));
    }

    [Fact]
    public void Rules_out_of_step_when_removing_release_the_address_and_rebuild_without_it()
    {
        _networking.Connect(Id, OnNetworks("north"), initPid: 4242);
        _firewall.Calls.Clear();
        _firewall.RefuseChanges = true;
        _networking.Disconnect(Id);
        Assert.Equal(["remove 10.9.0.2:8080 refused", "rebuild north,south "], _firewall.Calls);
        Assert.Empty(Held);
        Assert.Equal([IPAddress.Parse("10.9.0.2"), IPAddress.Parse("10.9.0.2")], _conntrack.Forgotten);
    }

    [Fact]
    public void A_network_whose_bridge_cannot_be_made_leaves_no_record_and_no_device()
    {
        _driver.FailEnsure = true;
        Assert.Throws<SyscallException>(() => _networking.Create(new NetworkCreateRequest("west", "10.11.0.0/24")));
        Assert.Null(_networking.Store.TryFind("west"));
        Assert.Single(_driver.Calls, c => c.StartsWith("remove-link ", StringComparison.Ordinal));
        Assert.Empty(_firewall.Calls);
    }

    private sealed class FakeDriver : INetworkDriver
    {
        public List<string> Calls { get; } = [];
        public HashSet<string> Recreated { get; } = [];
        public string? FailConnect { get; set; }
        public bool FailEnsure { get; set; }

        public bool EnsureNetwork(BridgeNetwork network)
        {
            if (FailEnsure) throw new SyscallException($"create bridge {network.BridgeName}", Errno.EPERM);
            return Recreated.Remove(network.Name);
        }

        public void Connect(BridgeNetwork network, int pid, string hostInterface, string containerInterface, IPAddress address)
        {
            if (containerInterface == FailConnect) throw new SyscallException($"move {containerInterface}", Errno.EBUSY);
            Calls.Add($"connect {network.Name} {pid} {hostInterface} {containerInterface} {address}");
        }

        public bool Disconnect(int pid, IPAddress address)
        {
            Calls.Add($"disconnect {pid} {address}");
            return true;
        }

        public void EnsureDefaultRoute(int pid, IPAddress gateway, IPAddress address) => Calls.Add($"default-route {pid} {gateway}");
        public string NextContainerInterface(int pid) => "eth1";
        public void RemoveLink(string name) => Calls.Add($"remove-link {name}");
        public IReadOnlyList<Route> HostRoutes() => [];
    }

    private sealed class FakeFirewall : IFirewall
    {
        public List<string> Calls { get; } = [];
        public bool RefuseChanges { get; set; }
        public bool RefuseRebuilds { get; set; }

        public void Rebuild(IReadOnlyList<BridgeNetwork> networks, IReadOnlyList<NetworkEndpoint> endpoints)
        {
            if (RefuseRebuilds) throw new IptablesException("iptables-nft-restore failed (exit 1)");
            Calls.Add($"rebuild {string.Join(',', networks.Select(n => n.Name))} {string.Join(',', endpoints.SelectMany(Ports))}");
        }

        public void ChangeEndpoints(IReadOnlyList<(BridgeNetwork Network, NetworkEndpoint Endpoint)> endpoints, bool add)
        {
            var call = $"{(add ? "add" : "remove")} {string.Join(',', endpoints.SelectMany(e => Ports(e.Endpoint)))}";
            if (RefuseChanges)
            {
                Calls.Add(call + " refused");
                throw new IptablesException("iptables-nft-restore failed (exit 1): Bad rule (does a matching rule exist in that chain?)");
            }
            Calls.Add(call);
        }

        public LoadedRules Read() => new(Ruleset.Empty, "nft", []);

        private static IEnumerable<string> Ports(NetworkEndpoint e) => e.Ports.Select(p => $"{e.Address}:{p.HostPort}");
    }

    private sealed class FakeConntrack : IConnectionTracker
    {
        public List<IPAddress> Forgotten { get; } = [];

        public int Forget(IPAddress address, IReadOnlyList<PortBinding> ports)
        {
            Forgotten.Add(address);
            return 0;
        }
    }
}
