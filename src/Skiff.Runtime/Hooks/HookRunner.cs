using System.Text;
using Skiff.Linux;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Hooks;

/// <summary>A hook that could not run, exited non-zero or outlived its timeout.</summary>
public sealed class HookException(string message) : Exception(message);

/// <summary>
/// Runs the spec's hooks of one stage in order, each with the container's state JSON on its stdin,
/// as the runtime spec says: the first that fails stops the rest. A hook gets exactly its args
/// (argv[0] included: dockerd's hook is dockerd itself, told its job by argv[0]) and its env.
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
        var (read, write) = FileDescriptors.Pipe();
        int pid;
        using (write)
        {
            using (read)
            {
                try
                {
                    pid = ChildProcess.Spawn(hook.Path, hook.Args is { Count: > 0 } args ? args : new List<string> { hook.Path }, hook.Env ?? [], read.Value);
                }
                catch (SyscallException e)
                {
                    throw new HookException($"{stage} hook {hook.Path} could not start: {e.Message}");
                }
            }
            try { FileDescriptors.WriteAll(write.Value, Encoding.UTF8.GetBytes(stateJson)); }
            catch (SyscallException) { } // a hook need not read its stdin
        }

        var timeout = hook.Timeout is int seconds and > 0 ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        if (ChildProcess.WaitForExit(pid, timeout) is not { } status)
        {
            ProcessControl.Signal(pid, 9);
            ChildProcess.WaitForExit(pid, null);
            throw new HookException($"{stage} hook {hook.Path} did not finish within its timeout of {hook.Timeout} s");
        }
        if (status != 0) throw new HookException($"{stage} hook {hook.Path} exited with status {status}");
    }
}
