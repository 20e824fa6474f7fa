using System.Net;
using Skiff.Linux.Netlink;
using Skiff.Network.HostState;
using Skiff.Network.Netfilter;
using Skiff.Linux;

namespace Skiff.Network.Trace;

/// <summary>
/// Walks a packet through the host the way the kernel does, and then its reply. Hooks in order
/// (PREROUTING, routing, INPUT or FORWARD, or OUTPUT for local packets, POSTROUTING), tables by
/// priority within each hook, conntrack after raw, nat only for a connection's first packet
/// (DNAT before routing, SNAT/MASQUERADE after), and bridged IPv4 through the bridge's hooks when
/// bridge netfilter is on.
/// </summary>
public sealed class PacketTracer
{
    private static readonly string[] PreroutingTables = ["raw", "mangle", "nat"];
    private static readonly string[] InputTables = ["mangle", "filter", "nat"];
    private static readonly string[] ForwardTables = ["mangle", "filter"];
    private static readonly string[] OutputTables = ["raw", "mangle", "nat", "filter"];
    private static readonly string[] PostroutingTables = ["mangle", "nat"];

    private readonly HostSnapshot _host;
    private readonly HostNetwork _network;
    private readonly MatchEvaluator _matcher;

    public PacketTracer(HostSnapshot host)
    {
        _host = host;
        _network = new HostNetwork(host);
        _matcher = new MatchEvaluator(_network);
    }

    public TraceResult Trace(TraceRequest request)
    {
        var (packet, arrivesOn) = FirstPacket(request);
        var original = new Walk(this, packet, arrivesOn, knownEntry: null, arrivalPort: request.InBridgePort).Run("original");
        var answer = original.Rejected is { } reject ? Rejection(original, reject) : ReplyTo(original);
        return new TraceResult(_host.Backend, _host.Warnings, original.Path, answer);
    }

    private (Packet Packet, string? ArrivesOn) FirstPacket(TraceRequest request)
    {
        var fromHost = request.From is HostEndpoint
            || (request.From is AddressEndpoint a && _network.IsLocal(a.Address) && request.InInterface is null);
        var source = (request.From as AddressEndpoint)?.Address;
        var arrivesOn = fromHost ? null
            : request.InInterface ?? _network.Lookup(source!)?.OutInterface
              ?? throw new InvalidInputException($"no route back to {source}: say where it arrives with --in");
        if (arrivesOn is not null && _network.Link(arrivesOn) is null) throw new InvalidInputException($"no interface named {arrivesOn}");
        var destination = request.To switch
        {
            AddressEndpoint d => d.Address,
            _ when arrivesOn is not null => _network.PrimaryAddress(arrivesOn, source)
                ?? throw new InvalidInputException($"{arrivesOn} has no IPv4 address to stand for \"host\""),
            _ => IPAddress.Loopback,
        };
        if (source is null)
        {
            var route = _network.Lookup(destination) ?? throw new InvalidInputException($"no route to {destination}");
            // A blackhole or unreachable route has no interface to take an address from; the walk reports the route anyway.
            source = route.Type is RouteType.Unicast or RouteType.Local or RouteType.Broadcast
                ? _network.SourceFor(destination, route) ?? throw new InvalidInputException($"no source address towards {destination}")
                : IPAddress.Any;
        }
        var hasPorts = Protocols.HasPorts(request.Protocol);
        var packet = new Packet
        {
            Source = source,
            Destination = destination,
            Protocol = request.Protocol,
            SourcePort = hasPorts ? request.SourcePort ?? TraceRequest.DefaultSourcePort : null,
            DestinationPort = hasPorts ? request.DestinationPort ?? throw new InvalidInputException($"{Protocols.Name(request.Protocol)} needs a destination port (--dport)") : null,
            IcmpType = request.Protocol == Protocols.Icmp ? request.IcmpType ?? IcmpTypes.EchoRequest : null,
            IcmpCode = request.Protocol == Protocols.Icmp ? request.IcmpCode ?? 0 : null,
            Mark = request.Mark,
        };
        return (packet, arrivesOn);
    }

    /// <summary>The answer to a packet that got through: the reverse tuple, as part of the connection the first packet made.</summary>
    private PacketPath? ReplyTo(WalkResult original)
    {
        if (original.Path.Outcome.Verdict is not ("accepted-locally" or "sent")) return null;
        var first = original.FirstPacket;
        var last = original.Packet;
        if (first.Protocol == Protocols.Icmp && first.IcmpType != IcmpTypes.EchoRequest) return null;
        var entry = original.Packet.Entry ?? new ConntrackEntry(first.Protocol, null,
            new ConntrackTuple(first.Source, first.Destination, first.SourcePort, first.DestinationPort, first.IcmpType, null),
            new ConntrackTuple(last.Destination, last.Source, last.DestinationPort, last.SourcePort, first.IcmpType is null ? null : IcmpTypes.EchoReply, null),
            Unreplied: false, Assured: false, Mark: 0, Text: "(the connection the original packet created)");
        var reply = new Packet
        {
            Source = last.Destination,
            Destination = last.Source,
            Protocol = last.Protocol,
            SourcePort = last.DestinationPort,
            DestinationPort = last.SourcePort,
            IcmpType = last.IcmpType is null ? null : IcmpTypes.EchoReply,
            IcmpCode = last.IcmpCode,
        };
        var arrivesOn = original.Path.Outcome.Verdict == "accepted-locally" ? null : original.Path.Outcome.OutInterface;
        return new Walk(this, reply, arrivesOn, entry, arrivalPort: last.PhysOut).Run("reply").Path;
    }

    /// <summary>
    /// REJECT answers with a packet the host sends itself: an ICMP error from the address the
    /// rejected packet was going to (when that is the host's) or from the route's source address.
    /// It is RELATED to the rejected packet's connection and passes no nat chain.
    /// </summary>
    private PacketPath Rejection(WalkResult original, RejectTarget reject)
    {
        var rejected = original.Packet;
        var code = RejectCodes.GetValueOrDefault(reject.With ?? "icmp-port-unreachable", -1);
        if (code < 0)
            return new PacketPath("rejection", $"REJECT --reject-with {reject.With}", [],
                new PathOutcome("unknown", $"the path of a {reject.With} answer is not simulated"));
        var route = _network.Lookup(rejected.Source);
        var source = _network.IsLocal(rejected.Destination) ? rejected.Destination
            : route is null ? null : _network.SourceFor(rejected.Source, route);
        if (source is null)
            return new PacketPath("rejection", "icmp error", [], new PathOutcome("unroutable", $"no route back to {rejected.Source}"));
        var error = new Packet
        {
            Source = source, Destination = rejected.Source, Protocol = Protocols.Icmp,
            IcmpType = IcmpTypes.DestinationUnreachable, IcmpCode = code,
        };
        return new Walk(this, error, arrivesOn: null, knownEntry: null, isRejectionError: true).Run("rejection").Path;
    }

    private static readonly Dictionary<string, int> RejectCodes = new()
    {
        ["icmp-net-unreachable"] = 0, ["icmp-host-unreachable"] = 1, ["icmp-proto-unreachable"] = 2, ["icmp-port-unreachable"] = 3,
        ["icmp-net-prohibited"] = 9, ["icmp-host-prohibited"] = 10, ["icmp-admin-prohibited"] = 13,
    };

    private sealed record WalkResult(PacketPath Path, Packet FirstPacket, Packet Packet, RejectTarget? Rejected);

    /// <summary>One packet's journey; collects the events as it goes.</summary>
    private sealed class Walk(PacketTracer tracer, Packet packet, string? arrivesOn, ConntrackEntry? knownEntry,
        string? arrivalPort = null, bool isRejectionError = false)
    {
        private readonly List<TraceEvent> _events = [];
        private ChainWalker? _walker;
        private readonly HostNetwork _network = tracer._network;
        private readonly HostSnapshot _host = tracer._host;
        private readonly Packet _first = Copy(packet);
        private ChainWalker Walker => _walker ??= new ChainWalker(_network, tracer._matcher, _events);

        public WalkResult Run(string direction)
        {
            // REJECT attaches its connection to the error before it leaves, so even the raw table sees it tracked.
            if (isRejectionError) Conntrack("OUTPUT");
            var description = packet.Describe();
            var outcome = arrivesOn is null ? FromLocalProcess() : Arriving(arrivesOn);
            // Every table ends in a decision of its own; the packet's fate is the last one outside nat (which only rewrites).
            var deciding = outcome.Verdict == "unknown" ? -1 : _events.FindLastIndex(e => e.Deciding && e.Table != "nat");
            var events = _events.Select((e, i) => e.Deciding == (i == deciding) ? e : e with { Deciding = i == deciding }).ToList();
            var decidedBy = outcome.Verdict == "unknown" ? _events.LastOrDefault(e => e.Kind == "stop")?.Text
                : deciding >= 0 ? Describe(events[deciding]) : null;
            outcome = outcome with { DecidedBy = outcome.DecidedBy ?? decidedBy, FinalPacket = packet.Describe() };
            return new WalkResult(new PacketPath(direction, description, events, outcome), _first, packet,
                outcome.Verdict == "rejected" ? _walker?.Rejected : null);
        }

        private PathOutcome Arriving(string inInterface)
        {
            packet.In = inInterface;
            var onBridge = _network.IsBridge(inInterface);
            var initialRoute = _network.Lookup(packet.Destination);
            // A frame addressed to a neighbour on the same bridge is switched, not routed: its sender resolved the neighbour itself.
            var switched = onBridge && initialRoute is { Type: RouteType.Unicast, Gateway: null } && initialRoute.OutInterface == inInterface;
            if (onBridge && _host.BridgeNetfilter)
            {
                packet.Bridged = true;
                packet.PhysIn = arrivalPort ?? _network.BridgePortOf(packet.Source, inInterface) ?? Packet.UnknownPort;
            }
            else if (onBridge && switched)
            {
                Add("note", $"switched by bridge {inInterface} with bridge-nf-call-iptables off: iptables never sees it");
                return new PathOutcome("sent", $"switched by {inInterface} without passing iptables") { OutInterface = inInterface };
            }
            var verdict = Hook("PREROUTING", PreroutingTables);
            if (verdict is not null) return verdict;

            var destinationChanged = !packet.Destination.Equals(_first.Destination);
            var route = _network.Lookup(packet.Destination);
            if (route is null) return Unroutable();
            if (packet.Bridged && (switched && !destinationChanged || destinationChanged && route.OutInterface == inInterface && !route.IsLocal))
            {
                AddRoute(route, destinationChanged
                    ? $"bridged after DNAT: {packet.Destination} is behind the same bridge {inInterface}"
                    : $"switched by bridge {inInterface}: {packet.Destination} is on the same segment");
                packet.Out = inInterface;
                packet.PhysOut = _network.BridgePortOf(packet.Destination, inInterface) ?? Packet.UnknownPort;
                if (packet.PhysOut == packet.PhysIn && packet.PhysIn != Packet.UnknownPort)
                {
                    Add("stop", $"the bridge does not send a frame back out of the port it came in on ({packet.PhysIn}) unless hairpin mode is on");
                    return new PathOutcome("dropped", $"not sent back out of {packet.PhysIn}") { DecidedBy = "bridge forwarding (hairpin off)" };
                }
                return Forward(routed: false);
            }
            if (route.IsLocal)
            {
                AddRoute(route, $"local delivery: {packet.Destination} is an address of this host");
                return Hook("INPUT", InputTables) ?? new PathOutcome("accepted-locally", "delivered to a local socket");
            }
            if (route.Type != RouteType.Unicast) return Blocked(route);
            AddRoute(route, $"forward out {route.OutInterface}" + (route.OutInterface == inInterface
                ? " (back out the interface it came in on: the kernel also sends the sender an ICMP redirect when send_redirects is on)" : ""));
            packet.Out = route.OutInterface;
            return Forward(routed: true);
        }

        private PathOutcome Forward(bool routed)
        {
            if (routed && !_host.IpForwarding)
            {
                Add("stop", "net.ipv4.ip_forward is 0: the kernel drops packets it would forward");
                return new PathOutcome("dropped", "not forwarded: net.ipv4.ip_forward is 0") { DecidedBy = "net.ipv4.ip_forward = 0" };
            }
            return Hook("FORWARD", ForwardTables) ?? Hook("POSTROUTING", PostroutingTables) ?? Sent();
        }

        private PathOutcome FromLocalProcess()
        {
            var route = _network.Lookup(packet.Destination);
            if (route is null) return Unroutable();
            if (!route.IsLocal && route.Type != RouteType.Unicast) return Blocked(route);
            AddRoute(route, route.IsLocal ? "to this host itself, over lo" : $"out {route.OutInterface}");
            packet.Out = route.IsLocal ? "lo" : route.OutInterface;
            var verdict = Hook("OUTPUT", OutputTables);
            if (verdict is not null) return verdict;
            if (!packet.Destination.Equals(_first.Destination))
            {
                route = _network.Lookup(packet.Destination);
                if (route is null) return Unroutable();
                AddRoute(route, $"rerouted after DNAT: out {(route.IsLocal ? "lo" : route.OutInterface)}");
                packet.Out = route.IsLocal ? "lo" : route.OutInterface;
            }
            verdict = Hook("POSTROUTING", PostroutingTables);
            if (verdict is not null) return verdict;
            if (!route.IsLocal) return Sent();
            // Looped back: the packet comes in again on lo; its connection is already NATed both ways.
            packet.In = "lo";
            packet.Out = null;
            return Hook("PREROUTING", PreroutingTables) ?? Hook("INPUT", InputTables)
                ?? new PathOutcome("accepted-locally", "delivered to a local socket over lo");
        }

        /// <summary>Runs a hook's tables in priority order; null means the packet goes on.</summary>
        private PathOutcome? Hook(string hook, string[] tables)
        {
            Add("hook", $"{hook}: {packet.Describe()}" + Interfaces()) ;
            foreach (var name in tables)
            {
                if (name == "nat" && !NatConsulted(hook)) continue;
                var table = _host.Ruleset.Table(name);
                var verdict = table is null ? TableVerdict.Accept : Walker.Run(table, hook, packet);
                if (name == "nat") MarkNatDone(hook);
                switch (verdict)
                {
                    case TableVerdict.Drop: return new PathOutcome("dropped", $"dropped in {name} {hook}");
                    case TableVerdict.Reject: return new PathOutcome("rejected", $"rejected in {name} {hook}");
                    case TableVerdict.Unknown: return new PathOutcome("unknown", $"stopped in {name} {hook}: something there cannot be simulated");
                }
                if (name == "raw" && !packet.Tracked) Conntrack(hook);
            }
            return null;
        }

        private string Interfaces() =>
            (packet.In is { } i ? $" in {i}" : "") + (packet.Out is { } o ? $" out {o}" : "")
            + (packet.PhysIn is { } pi ? $" physdev-in {pi}" : "") + (packet.PhysOut is { } po ? $" physdev-out {po}" : "");

        private void Conntrack(string hook)
        {
            packet.Tracked = true;
            if (isRejectionError)
            {
                packet.State = ConntrackStates.Related;
                Add("conntrack", "conntrack: the ICMP error carries the rejected packet's connection: state RELATED, no nat chain consulted");
                return;
            }
            var (entry, isReply) = knownEntry is not null ? (knownEntry, true) : Find();
            if (entry is null)
            {
                packet.State = ConntrackStates.New;
                Add("conntrack", "conntrack: no entry for this flow, so it is a NEW connection: the nat chains are consulted for this first packet");
                return;
            }
            packet.Entry = entry;
            packet.IsReplyDirection = isReply;
            packet.State = isReply || !entry.Unreplied ? ConntrackStates.Established : ConntrackStates.New;
            packet.DestinationNatted = entry.IsDestinationNatted;
            packet.SourceNatted = entry.IsSourceNatted;
            Add("conntrack", $"conntrack: {(isReply ? "reply direction of" : "belongs to")} the existing connection [{entry.Text}], "
                + $"state {packet.State.ToString().ToUpperInvariant()}: the nat chains are not consulted again, the translation recorded in the entry applies"
                + (knownEntry is null ? "; a rule changed since the connection began does not apply to it" : ""));
        }

        private (ConntrackEntry?, bool) Find()
        {
            foreach (var entry in _host.Conntrack.Where(e => e.Protocol == packet.Protocol))
            {
                if (Same(entry.Original)) return (entry, false);
                if (Same(entry.Reply)) return (entry, true);
            }
            return (null, false);
        }

        private bool Same(ConntrackTuple t) =>
            t.Source.Equals(packet.Source) && t.Destination.Equals(packet.Destination)
            && (!Protocols.HasPorts(packet.Protocol) || (t.SourcePort == packet.SourcePort && t.DestinationPort == packet.DestinationPort))
            && (t.IcmpType is null || t.IcmpType == packet.IcmpType);

        /// <summary>The nat table sees only a connection's first packet, once per direction of rewrite.</summary>
        private bool NatConsulted(string hook)
        {
            var destinationHook = hook is "PREROUTING" or "OUTPUT";
            if (packet.Entry is { } entry)
            {
                ApplyEntryTranslation(entry, destinationHook, hook);
                return false;
            }
            if (packet.State != ConntrackStates.New) return false;
            if (destinationHook ? packet.DestinationNatDone : packet.SourceNatDone)
            {
                Add("note", $"nat {hook} skipped: this connection's {(destinationHook ? "destination" : "source")} NAT was settled earlier on its way", hook);
                return false;
            }
            return true;
        }

        private void MarkNatDone(string hook)
        {
            if (hook is "PREROUTING" or "OUTPUT") packet.DestinationNatDone = true;
            else packet.SourceNatDone = true;
        }

        private void ApplyEntryTranslation(ConntrackEntry entry, bool destinationHook, string hook)
        {
            var before = packet.Describe();
            var (rewriteTuple, rewriteNeeded) = (destinationHook, packet.IsReplyDirection) switch
            {
                (true, false) => (entry.Reply, entry.IsDestinationNatted),
                (true, true) => (entry.Original, entry.IsSourceNatted),
                (false, false) => (entry.Reply, entry.IsSourceNatted),
                (false, true) => (entry.Original, entry.IsDestinationNatted),
            };
            if (!rewriteNeeded) return;
            if (destinationHook)
            {
                // Original direction: the new destination is where replies come from; reply direction: back to the original source.
                packet.Destination = rewriteTuple.Source;
                packet.DestinationPort = rewriteTuple.SourcePort;
            }
            else
            {
                packet.Source = rewriteTuple.Destination;
                packet.SourcePort = rewriteTuple.DestinationPort;
            }
            Add("nat", $"conntrack {(destinationHook ? "destination" : "source")} translation from the entry: {before} => {packet.Describe()}", hook);
        }

        private PathOutcome Sent() =>
            new("sent", $"leaves through {packet.Out}" + (packet.PhysOut is { } port ? $" (bridge port {port})" : "") + $" as {packet.Describe()}")
            { OutInterface = packet.Out };

        private PathOutcome Unroutable()
        {
            Add("route", $"routing: no route to {packet.Destination}");
            return new PathOutcome("unroutable", $"no route to {packet.Destination}") { DecidedBy = "routing table" };
        }

        private PathOutcome Blocked(RouteDecision route)
        {
            AddRoute(route, $"route type {route.Type.ToString().ToLowerInvariant()}: the kernel discards it");
            return new PathOutcome("dropped", $"route {route.Description} discards it") { DecidedBy = $"route {route.Description}" };
        }

        private void AddRoute(RouteDecision route, string meaning) => Add("route", $"routing: {packet.Destination} matches \"{route.Description}\": {meaning}");

        private void Add(string kind, string text, string? hook = null) => _events.Add(new TraceEvent(kind, text) { Hook = hook });

        private static string Describe(TraceEvent e) =>
            e.Kind == "policy" ? $"{e.Table} {e.Chain} policy {e.Target}" : $"{e.Table} {e.Chain} rule {e.Rule}: {e.RuleText}";

        private static Packet Copy(Packet p) => new()
        {
            Source = p.Source, Destination = p.Destination, Protocol = p.Protocol, SourcePort = p.SourcePort,
            DestinationPort = p.DestinationPort, IcmpType = p.IcmpType, IcmpCode = p.IcmpCode, Mark = p.Mark,
        };
    }
}
