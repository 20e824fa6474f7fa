using System.CommandLine;
using System.Text.Json;
using Skiff.Engine;
using Skiff.Engine.Networks;
using Skiff.Engine.State;
using Skiff.Linux;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff network create|ls|inspect|rm|connect|disconnect|prune</c>, over the engine's <see cref="ContainerNetworking"/>.</summary>
public static class NetworkVerbs
{
    private static readonly Argument<string> Name = new("name") { Description = "Network name" };
    private static readonly Argument<string[]> Names = new("networks") { Description = "Network names or ids", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<string?> Subnet = new("--subnet") { Description = "Subnet in CIDR form (default: a free 172.x.0.0/16)" };
    private static readonly Option<string?> Gateway = new("--gateway") { Description = "Gateway address (default: the subnet's first address)" };
    private static readonly Option<bool> Internal = new("--internal") { Description = "No way out of the network" };
    private static readonly Option<int?> Mtu = new("--mtu") { Description = "MTU of the bridge and the containers' interfaces" };
    private static readonly Option<string?> Driver = new("--driver", "-d") { Description = "Network driver (only bridge)" };
    private static readonly Option<string[]> Opt = new("--opt", "-o") { Description = "Driver options: icc=false (or com.docker.network.bridge.enable_icc=false)" };
    private static readonly Option<string?> IpRange = new("--ip-range") { Description = "Allocate container addresses only from this part of the subnet (CIDR)" };
    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Only display network names" };
    private static readonly Argument<string> Network = new("network") { Description = "Network name or id" };
    private static readonly Argument<string> Container = new("container") { Description = "Container name or id" };
    private static readonly Option<string?> Ip = new("--ip") { Description = "IPv4 address for the container on the network" };
    private static readonly Option<string[]> Alias = new("--alias") { Description = "Another name for the container on the network" };
    private static readonly Option<bool> Force = new("--force", "-f") { Description = "Force: disconnect even a container that is not connected; prune without asking" };

    public static IEnumerable<Command> Build()
    {
        var create = new Command("create", "Create a bridge network") { Name, Subnet, Gateway, IpRange, Internal, Mtu, Driver, Opt };
        create.SetAction(p => Create(p));
        var ls = new Command("ls", "List networks") { Quiet };
        ls.Aliases.Add("list");
        ls.SetAction(p => List(p));
        var inspect = new Command("inspect", "Show networks as Docker's JSON") { Names };
        inspect.SetAction(p => Inspect(p));
        var rm = new Command("rm", "Remove networks (refused while containers are attached)") { Names };
        rm.Aliases.Add("remove");
        rm.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            foreach (var name in p.GetValue(Names)!)
            {
                engine.Networking.Remove(name);
                Console.WriteLine(name);
            }
            return 0;
        });
        var connect = new Command("connect", "Connect a container to a network (a running one at once)") { Ip, Alias, Network, Container };
        connect.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            engine.ConnectNetwork(p.GetValue(Container)!, new NetworkAttachment(p.GetValue(Network)!) { Address = p.GetValue(Ip), Aliases = p.GetValue(Alias) ?? [] });
            return 0;
        });
        var disconnect = new Command("disconnect", "Disconnect a container from a network") { Force, Network, Container };
        disconnect.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            engine.DisconnectNetwork(p.GetValue(Container)!, p.GetValue(Network)!, p.GetValue(Force));
            return 0;
        });
        var prune = new Command("prune", "Remove the user-defined networks no container uses") { Force };
        prune.SetAction(p => Prune(p));
        return [create, ls, inspect, rm, connect, disconnect, prune];
    }

    private static int Prune(ParseResult p)
    {
        if (!p.GetValue(Force))
        {
            Console.Write("WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ");
            if (Console.ReadLine()?.Trim() is not ("y" or "Y")) return 0;
        }
        using var engine = ContainerArguments.Engine();
        var removed = engine.PruneNetworks();
        if (removed.Count > 0)
        {
            Console.WriteLine("Deleted Networks:");
            foreach (var name in removed) Console.WriteLine(name);
        }
        return 0;
    }

    private static int Create(ParseResult p)
    {
        if (p.GetValue(Driver) is { } driver && driver != "bridge")
            throw new InvalidInputException($"network driver \"{driver}\" is not supported: only bridge networks exist");
        var icc = true;
        foreach (var option in p.GetValue(Opt) ?? [])
        {
            var (key, value) = option.Split('=', 2) is [var k, var v] ? (k, v) : throw new InvalidInputException($"invalid option \"{option}\": use KEY=VALUE");
            icc = key is "icc" or "com.docker.network.bridge.enable_icc"
                ? bool.TryParse(value, out var b) ? b : throw new InvalidInputException($"invalid option \"{option}\": the value must be true or false")
                : throw new InvalidInputException($"unknown network option \"{key}\": only icc (com.docker.network.bridge.enable_icc) is supported");
        }
        using var engine = ContainerArguments.Engine();
        var record = engine.Networking.Create(new NetworkCreateRequest(p.GetValue(Name)!, p.GetValue(Subnet), p.GetValue(Gateway), p.GetValue(Internal), icc, p.GetValue(Mtu), p.GetValue(IpRange)));
        Console.WriteLine(record.Id);
        return 0;
    }

    private static int List(ParseResult p)
    {
        using var engine = ContainerArguments.Engine();
        var quiet = p.GetValue(Quiet);
        if (!quiet) Console.WriteLine($"{"NETWORK ID",-14}{"NAME",-20}{"DRIVER",-10}{"SUBNET",-20}BRIDGE");
        foreach (var n in engine.Networking.Store.List())
            Console.WriteLine(quiet ? n.Name : $"{n.Id[..12],-14}{n.Name,-20}{"bridge",-10}{n.Subnet,-20}{n.Bridge}");
        return 0;
    }

    private static int Inspect(ParseResult p)
    {
        using var engine = ContainerArguments.Engine();
        var store = engine.Networking.Store;
        var networks = p.GetValue(Names)!.Select(store.Find).ToList();
        var allocations = store.Allocations();
        var names = engine.List().ToDictionary(c => c.Id, c => c.Name);
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var n in networks)
            {
                w.WriteStartObject();
                w.WriteString("Name", n.Name);
                w.WriteString("Id", n.Id);
                w.WriteString("Created", ContainerStore.FormatTime(n.Created));
                w.WriteString("Driver", "bridge");
                w.WriteStartObject("IPAM");
                w.WriteStartArray("Config");
                w.WriteStartObject();
                w.WriteString("Subnet", n.Subnet.ToString());
                w.WriteString("Gateway", n.Gateway.ToString());
                if (n.IpRange is { } range) w.WriteString("IPRange", range.ToString());
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteBoolean("Internal", n.Internal);
                w.WriteStartObject("Containers");
                foreach (var a in allocations.Where(a => a.Network == n.Name))
                {
                    w.WriteStartObject(a.ContainerId);
                    w.WriteString("Name", names.GetValueOrDefault(a.ContainerId, ""));
                    w.WriteString("MacAddress", Skiff.Network.Bridge.BridgeDriver.MacAddress(a.Address));
                    w.WriteString("IPv4Address", $"{a.Address}/{n.Subnet.Length}");
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteStartObject("Options");
                w.WriteString("com.docker.network.bridge.name", n.Bridge);
                w.WriteString("com.docker.network.bridge.enable_icc", n.InterContainer ? "true" : "false");
                if (n.Mtu is { } mtu) w.WriteString("com.docker.network.driver.mtu", mtu.ToString(System.Globalization.CultureInfo.InvariantCulture));
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        stdout.Write("\n"u8);
        return 0;
    }
}
