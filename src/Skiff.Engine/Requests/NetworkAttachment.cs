namespace Skiff.Engine;

/// <summary>
/// A container's place on one bridge network, as the user asked for it: the network, an address
/// of its own choosing (--ip) and the extra names peers know it by (--network-alias).
/// </summary>
public sealed record NetworkAttachment(string Network)
{
    public string? Address { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
}
