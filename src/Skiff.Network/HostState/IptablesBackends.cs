using System.Diagnostics;
using Skiff.Network.Netfilter;

namespace Skiff.Network.HostState;

/// <summary>
/// Finds the loaded rules. Debian's iptables is the nf_tables flavour, but the legacy x_tables
/// flavour can hold rules at the same time (both run on the same hooks): read both and take the
/// one that has rules, warning when both do.
/// </summary>
public static class IptablesBackends
{
    public sealed record Loaded(Ruleset Ruleset, string Backend, IReadOnlyList<string> Warnings);

    public static Loaded Read()
    {
        var nft = TrySave("iptables-nft-save");
        // Only look at legacy when its tables exist: /proc/net/ip_tables_names lists them.
        var legacyTables = File.Exists("/proc/net/ip_tables_names") ? File.ReadAllText("/proc/net/ip_tables_names").Trim() : "";
        var legacy = legacyTables.Length > 0 ? TrySave("iptables-legacy-save") : null;
        if (nft is null && legacy is null)
        {
            var plain = TrySave("iptables-save")
                ?? throw new IptablesException("iptables-save is not installed (apt-get install iptables)");
            return new Loaded(IptablesSaveParser.Parse(plain), plain.Contains("(nf_tables)", StringComparison.Ordinal) ? "nft" : "legacy", []);
        }
        var nftRules = nft is null ? Ruleset.Empty : IptablesSaveParser.Parse(nft);
        var legacyRules = legacy is null ? Ruleset.Empty : IptablesSaveParser.Parse(legacy);
        var warnings = new List<string>();
        if (HasEffect(nftRules) && HasEffect(legacyRules))
            warnings.Add("both iptables backends hold rules and the kernel runs both; this trace follows the nf_tables rules only (see iptables-legacy-save)");
        return HasEffect(legacyRules) && !HasEffect(nftRules)
            ? new Loaded(legacyRules, "legacy", warnings)
            : new Loaded(nftRules, "nft", warnings);
    }

    private static bool HasEffect(Ruleset ruleset) =>
        ruleset.RuleCount > 0 || ruleset.Tables.Any(t => t.Chains.Any(c => c.Policy == ChainPolicy.Drop));

    private static string? TrySave(string program)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        Process process;
        try { process = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception) { return null; }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? stdout
                : throw new IptablesException($"{program} failed (exit {process.ExitCode}): {stderr.Result.Trim()}");
        }
    }
}
