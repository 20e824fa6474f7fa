using System.Diagnostics;
using Skiff.Network.Bridge;
using Skiff.Linux;

namespace Skiff.Network.Netfilter;

/// <summary>
/// Runs <see cref="RuleGenerator"/>'s batches through one backend's iptables-restore --noflush.
/// The caller serializes calls (a lock taken around reading the records and applying them), so
/// that a batch built from older records can never overwrite a newer one.
/// </summary>
public sealed class RuleApplier(IptablesBackend backend)
{
    public IptablesBackend Backend => backend;

    /// <summary>Every rule from the records: one save to see which jumps exist, one restore.</summary>
    public void Rebuild(IReadOnlyList<BridgeNetwork> networks, IReadOnlyList<NetworkEndpoint> endpoints)
    {
        var current = Run(backend.SaveProgram, [], null);
        Apply(RuleGenerator.Batch(networks, endpoints, current));
    }

    /// <summary>One batch; a rule it deletes that is not there fails it whole (<see cref="IptablesException"/>).</summary>
    public void Apply(string batch) => Run(backend.RestoreProgram, ["-w", "--noflush"], batch);

    /// <summary>Which backend this host uses (see <see cref="IptablesBackend"/>): up to three short processes.</summary>
    public static IptablesBackend Detect()
    {
        var configured = Environment.GetEnvironmentVariable(IptablesBackend.Variable);
        if (configured is { Length: > 0 }) return IptablesBackend.Choose(configured, "", "", "");
        // Legacy tables exist only once something loaded them into this namespace: no need to ask otherwise.
        var legacyLoaded = File.Exists("/proc/net/ip_tables_names") && File.ReadAllText("/proc/net/ip_tables_names").Trim().Length > 0;
        return IptablesBackend.Choose(null, TryRun("iptables-nft-save", []), legacyLoaded ? TryRun("iptables-legacy-save", []) : "", TryRun("iptables", ["--version"]));
    }

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
