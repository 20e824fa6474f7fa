using Skiff.Linux;

namespace Skiff.Engine.Networks;

/// <summary>The network a container asks for: its mode, its bridge networks, or the container whose namespace it joins.</summary>
public sealed record NetworkChoice(NetworkMode Mode, IReadOnlyList<NetworkAttachment> Networks, string? Container);

/// <summary>
/// Docker's --network values: none, host, container:NAME, bridge (the default network) or a
/// network's name, given once or (Docker 25+) several times, each also as name=NET,ip=ADDR,alias=NAME.
/// --ip and --network-alias belong to the first network.
/// </summary>
public static class NetworkSyntax
{
    public static NetworkChoice Parse(IReadOnlyList<string> values, string? ip = null, IReadOnlyList<string>? aliases = null)
    {
        aliases ??= [];
        if (values.Count == 0) values = [ContainerNetworking.DefaultName];
        var special = values.FirstOrDefault(v => v is "none" or "host" || v.StartsWith("container:", StringComparison.Ordinal));
        if (special is not null)
        {
            if (values.Count > 1)
                throw new InvalidInputException($"conflicting options: --network {special} cannot be combined with other networks");
            if (ip is not null || aliases.Count > 0)
                throw new InvalidInputException($"conflicting options: --ip and --network-alias need a bridge network, not --network {special}");
            return special switch
            {
                "none" => new NetworkChoice(NetworkMode.None, [], null),
                "host" => new NetworkChoice(NetworkMode.Host, [], null),
                _ when special.Length > "container:".Length => new NetworkChoice(NetworkMode.Container, [], special["container:".Length..]),
                _ => throw new InvalidInputException("--network container:NAME needs the name or id of a running container"),
            };
        }
        var networks = values.Select(Attachment).ToList();
        networks[0] = networks[0] with
        {
            Address = ip ?? networks[0].Address,
            Aliases = [.. networks[0].Aliases, .. aliases],
        };
        foreach (var address in networks.Select(n => n.Address).OfType<string>())
            Skiff.Network.Ipv4Prefix.ParseAddress(address);
        return new NetworkChoice(NetworkMode.Bridge, networks, null);
    }

    private static NetworkAttachment Attachment(string value)
    {
        if (!value.Contains('=')) return new NetworkAttachment(value);
        string? name = null, address = null;
        var aliases = new List<string>();
        foreach (var field in value.Split(','))
        {
            var (key, v) = field.Split('=', 2) is [var k, var x] ? (k, x) : throw new InvalidInputException($"invalid --network \"{value}\": use name=NET[,ip=ADDR][,alias=NAME]");
            switch (key)
            {
                case "name": name = v; break;
                case "ip": address = v; break;
                case "alias": aliases.Add(v); break;
                default: throw new InvalidInputException($"invalid --network \"{value}\": unknown key \"{key}\" (name, ip and alias are supported)");
            }
        }
        return new NetworkAttachment(name ?? throw new InvalidInputException($"invalid --network \"{value}\": name=NET is missing")) { Address = address, Aliases = aliases };
    }
}
