using System.CommandLine;
using System.Globalization;
using System.Net;
using Skiff.Engine;
using Skiff.Engine.Nodes;
using Skiff.Network.Cluster;
using Skiff.Network;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff node init|join|ls|leave</c> and the hidden <c>node agent</c>, over <see cref="NodeMembership"/>.</summary>
public static class NodeCommand
{
    private static readonly Option<string?> Etcd = new("--etcd") { Description = "etcd's client URL (http://HOST:PORT)" };
    private static readonly Option<string?> ClusterCidr = new("--cluster-cidr") { Description = "The network every node's container subnet is cut from, e.g. 172.20.0.0/16" };
    private static readonly Option<int> SubnetSize = new("--subnet-size") { Description = "Prefix length of each node's subnet", DefaultValueFactory = _ => 24 };
    private static readonly Option<string?> Advertise = new("--advertise-address") { Description = "The address peers route this node's subnet through (default: the one facing etcd)" };
    private static readonly Option<string?> LeaseTtl = new("--lease-ttl") { Description = "How long the subnet lease outlives a silent node, e.g. 10s or 1m (default 10s)" };
    private static readonly Option<string?> NodeName = new("--name") { Description = "This node's name in the cluster (default: the host name)" };
    private static readonly Option<string?> Subnet = new("--subnet") { Description = "Static form: this node's container subnet, e.g. 172.20.1.0/24" };
    private static readonly Option<string[]> Peer = new("--peer") { Description = "Static form: a peer as SUBNET=ADDRESS, e.g. 172.20.2.0/24=172.16.91.230; may be given more than once" };

    public static Command Build()
    {
        var init = new Command("init", "Set up a cluster's address plan in etcd") { Etcd, ClusterCidr, SubnetSize };
        init.SetAction(p => Init(p));
        var join = new Command("join", "Join this host to a cluster: lease a subnet for the default bridge network and start the node agent")
        {
            Etcd, Advertise, LeaseTtl, NodeName, Subnet, Peer,
        };
        join.SetAction(p => Join(p));
        var ls = new Command("ls", "List the cluster's nodes") { };
        ls.Aliases.Add("list");
        ls.SetAction(_ => List());
        var leave = new Command("leave", "Leave the cluster: stop the agent, give the subnet lease back, remove the routes to peers");
        leave.SetAction(_ =>
        {
            Membership().LeaveAsync().GetAwaiter().GetResult();
            return 0;
        });
        var agent = new Command("agent", "Run the node agent (started by node join)") { Hidden = true };
        agent.SetAction(_ => NodeMembership.RunAgent(SkiffPaths.FromEnvironment()));
        return new Command("node", "Manage this host's membership of a cluster (routes between hosts' containers)") { init, join, ls, leave, agent };
    }

    private static NodeMembership Membership()
    {
        var engine = ContainerArguments.Engine();
        return new NodeMembership(engine.Paths, engine.Networking);
    }

    private static int Init(ParseResult p)
    {
        var etcd = EtcdClient.ParseEndpoint(p.GetValue(Etcd) ?? throw new Linux.InvalidInputException("node init needs --etcd URL"));
        var config = ClusterConfig.Create(p.GetValue(ClusterCidr) ?? throw new Linux.InvalidInputException("node init needs --cluster-cidr CIDR"), p.GetValue(SubnetSize));
        NodeMembership.InitAsync(etcd, config).GetAwaiter().GetResult();
        Console.WriteLine($"cluster {config.Cidr}: a /{config.SubnetLength} per node");
        return 0;
    }

    private static int Join(ParseResult p)
    {
        var name = p.GetValue(NodeName) ?? Linux.ProcessControl.Hostname();
        var advertise = p.GetValue(Advertise) is { } a ? Address(a) : null;
        NodeState state;
        if (p.GetValue(Subnet) is { } subnet)
        {
            if (p.GetValue(Etcd) is not null) throw new Linux.InvalidInputException("--subnet is the static form, without etcd: give either --etcd or --subnet with --peer");
            state = Membership().JoinStatic(name, Prefix(subnet), [.. p.GetValue(Peer)!.Select(StaticPeer.Parse)], advertise);
        }
        else
        {
            if (p.GetValue(Peer) is { Length: > 0 }) throw new Linux.InvalidInputException("--peer belongs to the static form: give --subnet too, or leave --peer out with --etcd");
            var etcd = EtcdClient.ParseEndpoint(p.GetValue(Etcd) ?? throw new Linux.InvalidInputException("node join needs --etcd URL (or --subnet and --peer for the static form)"));
            var ttl = p.GetValue(LeaseTtl) is { } t ? Duration(t) : NodeMembership.DefaultLeaseTtl;
            state = Membership().JoinAsync(etcd, name, advertise, ttl).GetAwaiter().GetResult();
        }
        Console.WriteLine($"node {state.Name}: subnet {state.Subnet}{(state.Address.Length > 0 ? $" via {state.Address}" : "")}");
        return 0;
    }

    private static int List()
    {
        var rows = Membership().ListAsync().GetAwaiter().GetResult();
        Console.WriteLine($"{"NODE",-20}{"ADDRESS",-18}{"SUBNET",-20}{"LEASE EXPIRES",-16}REACHABLE");
        foreach (var r in rows) Console.WriteLine($"{r.Node,-20}{r.Address,-18}{r.Subnet,-20}{r.Expires,-16}{r.Reachable}");
        return 0;
    }

    private static IPAddress Address(string text) =>
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? ip : throw new Linux.InvalidInputException($"--advertise-address {text}: give this host's IPv4 address");

    private static Ipv4Prefix Prefix(string text)
    {
        try
        {
            return Ipv4Prefix.Parse(text);
        }
        catch (Linux.InvalidInputException)
        {
            throw new Linux.InvalidInputException($"--subnet {text}: give an IPv4 network such as 172.20.1.0/24");
        }
    }

    /// <summary>Go's duration forms that a TTL needs: 30s, 2m, 1h, or plain seconds.</summary>
    internal static TimeSpan Duration(string text)
    {
        var (number, unit) = text.Length > 0 && char.IsLetter(text[^1]) ? (text[..^1], text[^1]) : (text, 's');
        if (double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value > 0)
            switch (unit)
            {
                case 's': return TimeSpan.FromSeconds(value);
                case 'm': return TimeSpan.FromMinutes(value);
                case 'h': return TimeSpan.FromHours(value);
            }
        throw new Linux.InvalidInputException($"--lease-ttl {text}: give a duration such as 10s, 2m or 1h");
    }
}
