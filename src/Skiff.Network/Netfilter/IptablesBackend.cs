using Skiff.Linux;

namespace Skiff.Network.Netfilter;

/// <summary>
/// The iptables flavour Skiff writes with: nft (rules in nf_tables) or legacy (x_tables). Both run
/// on the same hooks, so rules split across them still all apply, but half of Skiff's chains in
/// one and half in the other would be a layout no one can read. The choice, in order: what the
/// configuration says (SKIFF_IPTABLES); the flavour that already holds Skiff's chains; the one
/// that holds any rules (another engine's, a firewall's: follow the host); what
/// `iptables --version` says the host's default is.
/// </summary>
public sealed record IptablesBackend(string Name)
{
    public const string Variable = "SKIFF_IPTABLES";

    public string SaveProgram => $"iptables-{Name}-save";
    public string RestoreProgram => $"iptables-{Name}-restore";

    /// <param name="nftSave">iptables-nft-save's output, empty when it has no tables.</param>
    /// <param name="legacySave">iptables-legacy-save's output, empty when it has no tables.</param>
    /// <param name="version">`iptables --version`: "iptables v1.8.9 (nf_tables)" or "(legacy)".</param>
    public static IptablesBackend Choose(string? configured, string nftSave, string legacySave, string version) =>
        Choose(configured, nftSave, legacySave, () => version);

    /// <param name="version">asked only when neither flavour's rules decide (it costs a process).</param>
    public static IptablesBackend Choose(string? configured, string nftSave, string legacySave, Func<string> version)
    {
        if (configured is { Length: > 0 })
            return configured is "nft" or "legacy" ? new IptablesBackend(configured)
                : throw new InvalidInputException($"{Variable}={configured}: use nft or legacy");
        foreach (var holds in new Func<string, bool>[] { HoldsSkiff, HoldsRules })
            if (holds(nftSave) != holds(legacySave)) return new IptablesBackend(holds(nftSave) ? "nft" : "legacy");
        return new IptablesBackend(version().Contains("(legacy)", StringComparison.Ordinal) ? "legacy" : "nft");
    }

    private static bool HoldsSkiff(string save) => save.Contains($":{RuleGenerator.Forward} ", StringComparison.Ordinal)
        || save.Contains($":{RuleGenerator.Dnat} ", StringComparison.Ordinal);

    private static bool HoldsRules(string save) => save.Split('\n').Any(l => l.StartsWith("-A ", StringComparison.Ordinal));
}
