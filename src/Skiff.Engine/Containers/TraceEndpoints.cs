using Skiff.Engine.Networks;
using Skiff.Engine.State;
using Skiff.Network.Bridge;
using Skiff.Network.Trace;
using Skiff.Linux;

namespace Skiff.Engine.Containers;

/// <summary>The two ends of a traced packet, as the user named them; <paramref name="InBridgePort"/> is the veth a container source sends through.</summary>
public sealed record TraceEnds(TraceEndpoint From, TraceEndpoint To, string? InBridgePort);

/// <summary>
/// <c>network trace --from/--to</c> with container names: a running container stands for its
/// address on a network, the one both ends share when there is one, else its first. As a source
/// it also names the veth its packets enter the bridge through.
/// </summary>
public static class TraceEndpoints
{
    public static TraceEnds Resolve(ContainerEngine engine, string from, string to)
    {
        var plain = new AddressResolver();
        var (fromPlain, toPlain) = (plain.Resolve(from), plain.Resolve(to));
        var fromHeld = fromPlain is null ? Held(engine, from, "--from") : null;
        var toHeld = toPlain is null ? Held(engine, to, "--to") : null;
        var shared = fromHeld?.Select(a => a.Network).FirstOrDefault(n => toHeld?.Any(t => t.Network == n) == true);
        NetworkAllocation? Pick(IReadOnlyList<NetworkAllocation>? held) => held is null ? null : held.FirstOrDefault(a => a.Network == shared) ?? held[0];
        var (source, destination) = (Pick(fromHeld), Pick(toHeld));
        var port = source is null ? null : BridgeDriver.HostInterface(engine.Networking.Store.Find(source.Network).Bridge, source.ContainerId);
        return new TraceEnds(fromPlain ?? new AddressEndpoint(source!.Address), toPlain ?? new AddressEndpoint(destination!.Address), port);
    }

    // The container's addresses in the order of its networks.
    private static List<NetworkAllocation> Held(ContainerEngine engine, string name, string option)
    {
        ContainerRecord record;
        try
        {
            record = engine.Find(name);
        }
        catch (NoSuchContainerException)
        {
            throw new InvalidInputException($"{option} \"{name}\": give an IPv4 address, \"host\" or the name of a running container");
        }
        var held = engine.Networking.Store.Allocations().Where(a => a.ContainerId == record.Id).ToList();
        var ordered = ContainerNetworking.Attachments(record.Request).Select(att => held.FirstOrDefault(a => a.Network == att.Network)).OfType<NetworkAllocation>().ToList();
        return ordered.Count > 0 ? ordered
            : throw new InvalidInputException($"{option} \"{name}\": container {record.Name} has no address on a bridge network (it is not running, or not on one)");
    }
}
