namespace Skiff.Network.Netfilter;

/// <summary>
/// The rules of Skiff's bridge networks in the host's firewall, behind one seam (netavark's
/// <c>FirewallDriver</c>): written from the records and read back for <c>network trace</c> through
/// the same choice of backend, so the tracer always reads the rules Skiff wrote. The caller
/// serializes calls, so that a change computed from older records never overwrites a newer one.
/// </summary>
public interface IFirewall
{
    /// <summary>Every Skiff rule written again from the records: how networks are made and removed, and how a host is put right.</summary>
    void Rebuild(IReadOnlyList<BridgeNetwork> networks, IReadOnlyList<NetworkEndpoint> endpoints);

    /// <summary>
    /// Adds or deletes the rules of some endpoints only, all or nothing. Throws
    /// <see cref="IptablesException"/> when the rules are not what the records say (a rule to delete
    /// is missing): the caller then rebuilds.
    /// </summary>
    void ChangeEndpoints(IReadOnlyList<(BridgeNetwork Network, NetworkEndpoint Endpoint)> endpoints, bool add);

    /// <summary>The rules loaded now, as the packet tracer reads them.</summary>
    LoadedRules Read();
}

/// <summary>A reading of the host's rules: which backend they came from, and what a reader should know (rules in the other backend).</summary>
public sealed record LoadedRules(Ruleset Ruleset, string Backend, IReadOnlyList<string> Warnings);
