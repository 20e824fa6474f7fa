using System.Net;
using Skiff.Network.Netfilter;

namespace Skiff.Network.Trace;

/// <summary>Applies a nat-table target to the packet and says what changed.</summary>
public sealed class NatRewriter(HostNetwork network)
{
    public string Apply(Target target, string hook, Packet p)
    {
        var before = p.Describe();
        switch (target)
        {
            case DnatTarget dnat:
                Rewrite(p, destination: true, dnat.To.FirstAddress, dnat.To.Ports);
                break;
            case RedirectTarget redirect:
                // REDIRECT is DNAT to the host itself: loopback for local packets, else the incoming interface's first address.
                var self = hook == "OUTPUT" ? IPAddress.Loopback : network.PrimaryAddress(p.In);
                Rewrite(p, destination: true, self, redirect.ToPorts);
                break;
            case SnatTarget snat:
                Rewrite(p, destination: false, snat.To.FirstAddress, snat.To.Ports);
                break;
            case MasqueradeTarget masquerade:
                var route = network.Lookup(p.Destination);
                Rewrite(p, destination: false, network.PrimaryAddress(p.Out, route?.Gateway ?? p.Destination), masquerade.ToPorts);
                break;
        }
        return $"{target.Name}: {before} => {p.Describe()}";
    }

    private static void Rewrite(Packet p, bool destination, IPAddress? address, PortRange? ports)
    {
        var current = destination ? p.DestinationPort : p.SourcePort;
        // With a port range the kernel keeps the packet's port when it is inside, else takes one from the range.
        int? port = ports is { } r && Protocols.HasPorts(p.Protocol) && !(current is { } c && r.Contains(c)) ? r.First : current;
        if (destination)
        {
            p.DestinationNatted |= (address is not null && !address.Equals(p.Destination)) || port != p.DestinationPort;
            p.Destination = address ?? p.Destination;
            p.DestinationPort = port;
        }
        else
        {
            p.SourceNatted |= (address is not null && !address.Equals(p.Source)) || port != p.SourcePort;
            p.Source = address ?? p.Source;
            p.SourcePort = port;
        }
    }
}
