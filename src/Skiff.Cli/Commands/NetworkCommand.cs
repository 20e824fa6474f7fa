using System.CommandLine;
using Skiff.Engine.Containers;
using Skiff.Network.Netfilter;
using Skiff.Network.Trace;
using Skiff.Linux;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff network trace</c>: flags in, a <see cref="TraceRequest"/> out, and <see cref="PacketTracer"/> walks it over the live host.</summary>
public static class NetworkCommand
{
    private static readonly Option<string> From = new("--from") { Description = "Source: an IPv4 address, a running container's name, or \"host\" for a local process" };
    private static readonly Option<string> To = new("--to") { Description = "Destination: an IPv4 address, a running container's name, or \"host\" for this host's own address" };
    private static readonly Option<string?> In = new("--in") { Description = "Interface an outside packet arrives on (default: the one facing its source)" };
    private static readonly Option<string> Proto = new("--proto", "-p") { Description = "tcp, udp or icmp", DefaultValueFactory = _ => "tcp" };
    private static readonly Option<int?> Sport = new("--sport") { Description = $"Source port (default {TraceRequest.DefaultSourcePort})" };
    private static readonly Option<int?> Dport = new("--dport") { Description = "Destination port (tcp and udp)" };
    private static readonly Option<string?> IcmpType = new("--icmp-type") { Description = "ICMP type as a name or TYPE[/CODE] (default echo-request)" };
    private static readonly Option<string?> Mark = new("--mark") { Description = "The packet's firewall mark as it arrives (default 0)" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print the trace as JSON" };
    private static readonly Option<string?> Batch = new("--batch") { Description = "Trace every line of FILE (each line holds the flags of one trace) against one reading of the host; with --json, one JSON object per line" };

    public static Command Build()
    {
        var trace = new Command("trace", "Explain a packet's path through the live netfilter rules, routes and conntrack")
        {
            From, To, In, Proto, Sport, Dport, IcmpType, Mark, Json, Batch,
        };
        trace.SetAction(p => Execute(trace, p));
        var network = new Command("network", "Manage networks and inspect container networking") { trace };
        foreach (var verb in NetworkVerbs.Build()) network.Subcommands.Add(verb);
        return network;
    }

    private static int Execute(Command trace, ParseResult p)
    {
        var batch = p.GetValue(Batch);
        var requests = batch is null
            ? [ToRequest(p)]
            : File.ReadAllLines(batch).Where(l => l.Trim().Length > 0)
                .Select(line => ToRequest(ParseLine(trace, line))).ToList();
        using var engine = ContainerArguments.Engine();
        foreach (var result in engine.Networking.Trace(requests))
        {
            Console.Out.Write(p.GetValue(Json) ? TraceJsonContext.Serialize(result) + "\n" : TraceTextRenderer.Render(result));
        }
        return 0;
    }

    private static ParseResult ParseLine(Command trace, string line)
    {
        var parse = trace.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return parse.Errors.Count == 0 ? parse : throw new InvalidInputException($"batch line \"{line}\": {parse.Errors[0].Message}");
    }

    internal static TraceRequest ToRequest(ParseResult p)
    {
        var ends = TraceEndpoints.Resolve(ContainerArguments.Engine(),
            p.GetValue(From) ?? throw new InvalidInputException("--from is required"), p.GetValue(To) ?? throw new InvalidInputException("--to is required"));
        var protocol = Protocols.Parse(p.GetValue(Proto)!) is var n and (Protocols.Tcp or Protocols.Udp or Protocols.Icmp)
            ? n : throw new InvalidInputException($"--proto: trace tcp, udp or icmp");
        (int? icmpType, int? icmpCode) = (null, null);
        if (p.GetValue(IcmpType) is { } icmp) (icmpType, icmpCode) = IcmpTypes.Parse(icmp);
        return new TraceRequest(ends.From, ends.To, protocol)
        {
            SourcePort = Port(p.GetValue(Sport), "--sport"),
            DestinationPort = Port(p.GetValue(Dport), "--dport"),
            IcmpType = icmpType,
            IcmpCode = icmpCode,
            InInterface = p.GetValue(In),
            InBridgePort = ends.InBridgePort,
            Mark = p.GetValue(Mark) is { } mark ? IptablesSaveParser.ParseNumber(mark) : 0,
        };
    }

    private static int? Port(int? port, string flag) =>
        port is null or (>= 1 and <= 65535) ? port : throw new InvalidInputException($"{flag} {port}: ports are 1-65535");
}
