using System.Diagnostics;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Hooks;

/// <summary>A hook that could not run, exited non-zero or outlived its timeout.</summary>
public sealed class HookException(string message) : Exception(message);

/// <summary>
/// Runs the spec's hooks of one stage in order, each with the container's state JSON on its stdin,
/// as the runtime spec says: the first that fails stops the rest.
/// </summary>
public static class HookRunner
{
    public static void Run(string stage, IReadOnlyList<HookSpec>? hooks, string stateJson)
    {
        foreach (var hook in hooks ?? [])
            RunOne(stage, hook, stateJson);
    }

    private static void RunOne(string stage, HookSpec hook, string stateJson)
    {
        var startInfo = new ProcessStartInfo(hook.Path) { UseShellExecute = false, RedirectStandardInput = true };
        // args[0] is the program's own name in the spec, as in execve's argv.
        foreach (var arg in (hook.Args ?? []).Skip(1)) startInfo.ArgumentList.Add(arg);
        startInfo.Environment.Clear();
        foreach (var entry in hook.Env ?? [])
            if (entry.IndexOf('=') is var eq and > 0) startInfo.Environment[entry[..eq]] = entry[(eq + 1)..];
        System.Diagnostics.Process process;
        try
        {
            process = System.Diagnostics.Process.Start(startInfo)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HookException($"{stage} hook {hook.Path} could not start: {e.Message}");
        }
        using (process)
        {
            try
            {
                process.StandardInput.Write(stateJson);
                process.StandardInput.Close();
            }
            catch (IOException) { } // a hook need not read its stdin
            if (hook.Timeout is int seconds and > 0 && !process.WaitForExit(TimeSpan.FromSeconds(seconds)))
            {
                process.Kill();
                throw new HookException($"{stage} hook {hook.Path} did not finish within its timeout of {seconds} s");
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new HookException($"{stage} hook {hook.Path} exited with status {process.ExitCode}");
        }
    }
}
