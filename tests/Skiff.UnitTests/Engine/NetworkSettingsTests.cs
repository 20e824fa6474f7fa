using Skiff.Engine;
using Skiff.Linux;
using System.Net;
using Skiff.Engine.Containers;
using Skiff.Engine.Networks;
using Skiff.Engine.State;
using Skiff.Network;
using Skiff.Network.Ipam;
using Skiff.Network.Ports;

namespace Skiff.UnitTests.Engine;

/// <summary>What a container asks of its networks: --network values, --ip and --ip-range, the hosts and resolv.conf it gets.</summary>
public sealed class NetworkSettingsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("skiff-net").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Network_values_give_a_mode_or_bridge_networks_in_order_with_ip_and_aliases_on_the_first()
    {
        Assert.Equal(NetworkMode.None, NetworkSyntax.Parse(["none"]).Mode);
        Assert.Equal(NetworkMode.Host, NetworkSyntax.Parse(["host"]).Mode);
        Assert.Equal(new NetworkChoice(NetworkMode.Container, [], "web"), NetworkSyntax.Parse(["container:web"]));
        var choice = NetworkSyntax.Parse(["front", "name=back,ip=10.0.0.9,alias=db"], "10.1.0.5", ["www"]);
        Assert.Equal(NetworkMode.Bridge, choice.Mode);
        Assert.Equal(["front", "back"], choice.Networks.Select(n => n.Network));
        Assert.Equal("10.1.0.5", choice.Networks[0].Address);
        Assert.Equal(["www"], choice.Networks[0].Aliases);
        Assert.Equal("10.0.0.9", choice.Networks[1].Address);
        Assert.Equal(["db"], choice.Networks[1].Aliases);
    }

    [Theory]
    [InlineData(new[] { "none", "front" }, "cannot be combined with other networks")]
    [InlineData(new[] { "container:" }, "needs the name or id of a running container")]
    [InlineData(new[] { "name=x,mtu=9000" }, "unknown key \"mtu\"")]
    public void Bad_network_values_are_refused_with_the_reason(string[] values, string message)
    {
        var error = Assert.Throws<InvalidInputException>(() => NetworkSyntax.Parse(values));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void An_ip_range_confines_allocation_and_says_so_when_it_is_full()
    {
        var subnet = Ipv4Prefix.Parse("10.9.0.0/24");
        var range = Ipv4Prefix.Parse("10.9.0.0/30");
        var gateway = IPAddress.Parse("10.9.0.1");
        Assert.Equal(IPAddress.Parse("10.9.0.2"), AddressPool.Next(subnet, gateway, new HashSet<uint>(), range));
        var taken = new HashSet<uint> { Ipv4Prefix.ToUInt32(IPAddress.Parse("10.9.0.2")), Ipv4Prefix.ToUInt32(IPAddress.Parse("10.9.0.3")) };
        var error = Assert.Throws<InvalidInputException>(() => AddressPool.Next(subnet, gateway, taken, range));
        Assert.Contains("no free address left in ip-range 10.9.0.0/30 of subnet 10.9.0.0/24", error.Message);
        Assert.Equal(IPAddress.Parse("10.9.0.128"), AddressPool.Next(subnet, gateway, new HashSet<uint>(), Ipv4Prefix.Parse("10.9.0.128/25")));
    }

    [Theory]
    [InlineData("10.8.0.5", "outside subnet 10.9.0.0/24")]
    [InlineData("10.9.0.0", "the network or broadcast address")]
    [InlineData("10.9.0.255", "the network or broadcast address")]
    [InlineData("10.9.0.1", "the gateway")]
    public void A_chosen_address_the_subnet_cannot_give_is_refused(string address, string reason) =>
        Assert.Contains(reason, AddressPool.Refusal(Ipv4Prefix.Parse("10.9.0.0/24"), IPAddress.Parse("10.9.0.1"), IPAddress.Parse(address)));

    [Fact]
    public void The_store_hands_out_a_chosen_address_once_and_releases_one_network_at_a_time()
    {
        using var db = new StateDatabase(_root);
        var store = new NetworkStore(db);
        store.Insert("a", null, Ipv4Prefix.Parse("10.9.0.0/24"), IPAddress.Parse("10.9.0.1"), false, true, null, Ipv4Prefix.Parse("10.9.0.64/26"));
        store.Insert("b", null, Ipv4Prefix.Parse("10.10.0.0/24"), IPAddress.Parse("10.10.0.1"), false, true, null);
        var (one, two) = (new string('1', 64), new string('2', 64));
        // No ports are asked for, so the chooser never looks at the host.
        var ports = new HostPortChooser(_ => false, (32768, 60999));
        Assert.Equal(IPAddress.Parse("10.9.0.64"), store.Allocate("a", one, [], ports).Address);
        Assert.Equal(IPAddress.Parse("10.9.0.7"), store.Allocate("a", two, [], ports, IPAddress.Parse("10.9.0.7")).Address);
        store.Allocate("b", two, [], ports);
        var taken = Assert.Throws<ConflictException>(() => store.Allocate("a", new string('3', 64), [], ports, IPAddress.Parse("10.9.0.64")));
        Assert.Contains("already in use on network a by container 111111111111", taken.Message);
        Assert.Contains("already connected to network a", Assert.Throws<ConflictException>(() => store.Allocate("a", one, [], ports)).Message);
        Assert.Equal("a", Assert.Single(store.Release(two, "a")).Network);
        Assert.Equal(["b"], store.Allocations().Where(x => x.ContainerId == two).Select(x => x.Network));
        Assert.Equal(Ipv4Prefix.Parse("10.9.0.64/26"), store.Find("a").IpRange);
    }

    [Fact]
    public void An_ip_range_outside_the_subnet_is_refused()
    {
        using var db = new StateDatabase(_root);
        var error = Assert.Throws<InvalidInputException>(() => new NetworkStore(db).Insert("a", null, Ipv4Prefix.Parse("10.9.0.0/24"), IPAddress.Parse("10.9.0.1"), false, true, null, Ipv4Prefix.Parse("10.9.1.0/28")));
        Assert.Contains("ip-range 10.9.1.0/28 is not inside subnet 10.9.0.0/24", error.Message);
    }

    [Fact]
    public void Hosts_file_has_the_defaults_then_added_hosts_with_host_gateway_resolved_then_the_entries()
    {
        var request = new RunRequest { Image = "busybox", Names = new NameSettings { ExtraHosts = ["db:192.0.2.1", "gw:host-gateway", "v6=2001:db8::1"] } };
        var hosts = ContainerFiles.Hosts(request, IPAddress.Parse("10.9.0.1"), ["10.9.0.2\tweb www"]);
        Assert.StartsWith(DockerDefaults.HostsFile, hosts);
        Assert.EndsWith("192.0.2.1\tdb\n10.9.0.1\tgw\n2001:db8::1\tv6\n10.9.0.2\tweb www\n", hosts);
        Assert.DoesNotContain("\tgw", ContainerFiles.Hosts(request, hostGateway: null, []));
    }

    [Theory]
    [InlineData("nocolon")]
    [InlineData(":1.2.3.4")]
    [InlineData("db:not-an-address")]
    public void A_bad_add_host_is_refused(string text) =>
        Assert.Contains("use NAME:IP", Assert.Throws<InvalidInputException>(() => NameSettings.ParseExtraHost(text)).Message);

    [Fact]
    public void Dns_flags_replace_the_hosts_lines_of_their_kind()
    {
        const string host = "nameserver 192.168.1.1\nsearch lan\noptions edns0\n";
        var names = new NameSettings { Servers = ["9.9.9.9"], Search = ["corp.example"], Options = ["ndots:2"] };
        Assert.Equal("nameserver 9.9.9.9\nsearch corp.example\noptions ndots:2\n", ContainerFiles.ResolvConf(host, names));
        Assert.Equal("nameserver 192.168.1.1\noptions edns0\n", ContainerFiles.ResolvConf(host, new NameSettings { Search = ["."] }));
    }
}
