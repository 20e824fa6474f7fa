using System.Diagnostics;
using Skiff.Linux;

namespace Skiff.Network.Netfilter;

/// <summary>
/// <see cref="IFirewall"/> through iptables-restore --noflush batches (<see cref="RuleGenerator"/>)
/// and iptables-save. The backend (<see cref="IptablesBackend"/>) is chosen here only: anew on every
/// rebuild and remembered in <paramref name="choiceFile"/>, so the cheap per-container batches and
/// the tracer's reading use the flavour the rules were last written with.
/// </summary>
public sealed class IptablesFirewall(string choiceFile) : IFirewall
{
    private IptablesBackend? _backend;
    // What detection read, so that reading the chosen flavour's rules right after costs no second dump
    // (tens of milliseconds with thousands of rules).
    private readonly Dictionary<string, string> _detectionDumps = [];

    /// <summary>The configured flavour, else the one the last rebuild chose, else the host's (<see cref="Detect"/>).</summary>
    public IptablesBackend Backend => _backend ??=
        Environment.GetEnvironmentVariable(IptablesBackend.Variable) is { Length: > 0 } || !File.Exists(choiceFile)
            ? Detect()
            : new IptablesBackend(File.ReadAllText(choiceFile).Trim());

    /// <summary>Every rule from the records: one save to see which jumps exist, one restore.</summary>
    public void Rebuild(IReadOnlyList<BridgeNetwork> networks, IReadOnlyList<NetworkEndpoint> endpoints)
    {
        var backend = _backend = Detect();
        var current = Save(backend);
        Apply(RuleGenerator.Batch(networks, endpoints, current));
        File.WriteAllText(choiceFile, backend.Name);
    }

    public void ChangeEndpoints(IReadOnlyList<(BridgeNetwork Network, NetworkEndpoint Endpoint)> endpoints, bool add)
    {
        var batch = string.Concat(endpoints.Select(e => RuleGenerator.EndpointBatch(e.Network, e.Endpoint, add)));
        if (batch.Length > 0) Apply(batch);
    }

    /// <summary>
    /// The chosen backend's rules. The kernel runs both flavours' rules, so rules in the other one
    /// (legacy tables only exist once something loaded them) are named in a warning.
    /// </summary>
    public LoadedRules Read()
    {
        var backend = Backend;
        var ruleset = IptablesSaveParser.Parse(Save(backend));
        var other = backend.Name == "nft" ? new IptablesBackend("legacy") : new IptablesBackend("nft");
        var otherRules = _detectionDumps.Remove(other.SaveProgram, out var read) ? read
            : other.Name == "nft" || LegacyTablesLoaded() ? TryRun(other.SaveProgram, []) : "";
        var warnings = otherRules.Length > 0 && HasEffect(IptablesSaveParser.Parse(otherRules))
            ? new[] { $"both iptables backends hold rules and the kernel runs both; this trace follows the {backend.Name} rules only (see {other.SaveProgram})" }
            : [];
        return new LoadedRules(ruleset, backend.Name, warnings);
    }

    // One batch; a rule it deletes that is not there fails it whole (IptablesException).
    private void Apply(string batch) => Run(Backend.RestoreProgram, ["-w", "--noflush"], batch);

    /// <summary>Which backend this host uses (see <see cref="IptablesBackend"/>): up to three short processes.</summary>
    private IptablesBackend Detect()
    {
        var configured = Environment.GetEnvironmentVariable(IptablesBackend.Variable);
        if (configured is { Length: > 0 }) return IptablesBackend.Choose(configured, "", "", "");
        _detectionDumps.Clear();
        var nft = _detectionDumps["iptables-nft-save"] = TryRun("iptables-nft-save", []);
        var legacy = LegacyTablesLoaded() ? _detectionDumps["iptables-legacy-save"] = TryRun("iptables-legacy-save", []) : "";
        return IptablesBackend.Choose(null, nft, legacy, () => TryRun("iptables", ["--version"]));
    }

    /// <summary>The flavour's rules: what detection just read if it read them, else a fresh dump.</summary>
    private string Save(IptablesBackend backend) =>
        _detectionDumps.Remove(backend.SaveProgram, out var dump) && dump.Length > 0 ? dump : Run(backend.SaveProgram, [], null);

    // Legacy tables exist only once something loaded them into this namespace: no need to ask otherwise.
    private static bool LegacyTablesLoaded() =>
        File.Exists("/proc/net/ip_tables_names") && File.ReadAllText("/proc/net/ip_tables_names").Trim().Length > 0;

    private static bool HasEffect(Ruleset ruleset) =>
        ruleset.RuleCount > 0 || ruleset.Tables.Any(t => t.Chains.Any(c => c.Policy == ChainPolicy.Drop));

    private static string TryRun(string program, string[] args)
    {
        try
        {
            return Run(program, args, null);
        }
        catch (IptablesException)
        {
            return "";
        }
    }

    private static string Run(string program, string[] args, string? input)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new IptablesException($"{program} could not be run ({e.Message}): bridge networks need iptables (apt-get install iptables)", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            process.StandardInput.Write(input ?? "");
            process.StandardInput.Close();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new IptablesException($"{program} failed (exit {process.ExitCode}): {stderr.Result.Trim()}" + (input is null ? "" : $"\nbatch:\n{input}"));
            return stdout.Result;
        }
    }
}

public sealed class IptablesException(string message, Exception? inner = null) : SkiffException(message, inner);
