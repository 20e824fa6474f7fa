using System.Diagnostics;
using Skiff.Network.Bridge;

namespace Skiff.Network.Netfilter;

/// <summary>
/// Applies <see cref="RuleGenerator"/>'s batch: one iptables-save to see which jumps exist, one
/// iptables-restore --noflush to write everything. The caller serializes calls (a lock taken
/// around reading the records and applying them), so that a batch built from older records can
/// never overwrite a newer one.
/// </summary>
public static class RuleApplier
{
    public static void Apply(IReadOnlyList<BridgeNetwork> networks, IReadOnlyList<NetworkEndpoint> endpoints)
    {
        var current = Run("iptables-save", [], null);
        var batch = RuleGenerator.Batch(networks, endpoints, current);
        Run("iptables-restore", ["-w", "--noflush"], batch);
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
            throw new InvalidOperationException($"{program} could not be run ({e.Message}): bridge networks need iptables (apt-get install iptables)", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            process.StandardInput.Write(input ?? "");
            process.StandardInput.Close();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{program} failed (exit {process.ExitCode}): {stderr.Result.Trim()}" + (input is null ? "" : $"\nbatch:\n{input}"));
            return stdout.Result;
        }
    }
}
