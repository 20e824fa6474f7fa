using Skiff.Linux;

namespace Skiff.Network.Netfilter;

/// <summary>The ICMP type names iptables accepts (the ones a rule is likely to name), with their code when the name fixes one.</summary>
public static class IcmpTypes
{
    public const int EchoReply = 0, DestinationUnreachable = 3, EchoRequest = 8, Any = 255;

    public static readonly IReadOnlyDictionary<string, (int Type, int? Code)> ByName = new Dictionary<string, (int, int?)>(StringComparer.OrdinalIgnoreCase)
    {
        ["any"] = (Any, null),
        ["echo-reply"] = (EchoReply, null), ["pong"] = (EchoReply, null),
        ["destination-unreachable"] = (DestinationUnreachable, null),
        ["network-unreachable"] = (3, 0), ["host-unreachable"] = (3, 1), ["protocol-unreachable"] = (3, 2),
        ["port-unreachable"] = (3, 3), ["fragmentation-needed"] = (3, 4),
        ["source-quench"] = (4, null), ["redirect"] = (5, null),
        ["echo-request"] = (EchoRequest, null), ["ping"] = (EchoRequest, null),
        ["router-advertisement"] = (9, null), ["router-solicitation"] = (10, null),
        ["time-exceeded"] = (11, null), ["ttl-exceeded"] = (11, null), ["parameter-problem"] = (12, null),
        ["timestamp-request"] = (13, null), ["timestamp-reply"] = (14, null),
    };

    /// <summary>A name ("echo-request") or "TYPE[/CODE]".</summary>
    public static (int Type, int? Code) Parse(string text)
    {
        if (ByName.TryGetValue(text, out var named)) return named;
        var slash = text.IndexOf('/');
        var type = ParseByte(slash < 0 ? text : text[..slash], text);
        return (type, slash < 0 ? null : ParseByte(text[(slash + 1)..], text));
    }

    private static int ParseByte(string part, string whole) =>
        int.TryParse(part, out var n) && n is >= 0 and <= 255 ? n : throw new InvalidInputException($"\"{whole}\" is not an ICMP type");
}
