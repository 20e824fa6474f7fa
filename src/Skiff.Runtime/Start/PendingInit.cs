using System.Diagnostics;
using Skiff.Linux;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Start;

/// <summary>
/// An init process already started in its new namespaces and waiting for its spec. Spawning it
/// first lets the child's exec and start overlap the caller's own work (resolving the image,
/// writing the bundle, creating the cgroup). Disposing it before the container starts kills it.
/// </summary>
public sealed class PendingInit : IDisposable
{
    private PendingInit(System.Diagnostics.Process process, InitChannel.RuntimeEnd channel, IReadOnlyList<NamespaceSpec> namespaces)
    {
        Process = process;
        Channel = channel;
        Namespaces = namespaces;
    }

    internal System.Diagnostics.Process Process { get; }
    internal InitChannel.RuntimeEnd Channel { get; }
    internal IReadOnlyList<NamespaceSpec> Namespaces { get; }
    internal bool HandedOver { get; private set; }

    /// <param name="stdio">descriptors that become the program's stdin, stdout and stderr; null to pass ours through.</param>
    /// <param name="initExecutable">the binary with the hidden <c>init</c> verb: this very program by default.</param>
    /// <param name="preservedFds">how many of our descriptors from 3 up the program receives as they are (runc's --preserve-fds).</param>
    public static PendingInit Launch(IReadOnlyList<NamespaceSpec> namespaces, int[]? stdio, string? initExecutable = null, int preservedFds = 0)
    {
        var (syncRead, syncWrite) = FileDescriptors.Pipe();
        var (statusRead, statusWrite) = FileDescriptors.Pipe();
        var channel = new InitChannel.RuntimeEnd(syncWrite, statusRead);
        // init's ends are its own once it runs: ours close whichever way this ends.
        using (syncRead)
        using (statusWrite)
        {
            try
            {
                var startInfo = new ProcessStartInfo(initExecutable ?? Environment.ProcessPath ?? "skiff") { UseShellExecute = false };
                startInfo.ArgumentList.Add("init");
                startInfo.Environment[InitChannel.EnvironmentVariable] = new InitChannel.Handles(syncRead.Value, statusWrite.Value, stdio, preservedFds).Encode();
                // 0, 1 and 2 are inherited anyway, and must stay so in this process.
                int[] inherit = [syncRead.Value, statusWrite.Value, .. (stdio ?? []).Where(fd => fd > 2).Distinct(), .. Enumerable.Range(3, preservedFds)];
                var process = Spawner.Kernel.Spawn(startInfo, namespaces, inherit);
                return new PendingInit(process, channel, namespaces);
            }
            catch
            {
                channel.Dispose();
                throw;
            }
        }
    }

    /// <summary>From here on the running container owns the process; the pipes are closed.</summary>
    /// <param name="keepSyncOpen">leave the sync pipe open until this process exits: its end of file is the
    /// signal a detached exec's init waits for.</param>
    internal void HandOver(bool keepSyncOpen = false)
    {
        HandedOver = true;
        if (keepSyncOpen) Channel.LeaveSyncOpenUntilExit();
        Channel.Dispose();
    }

    private bool _disposed;

    public void Dispose()
    {
        Channel.Dispose();
        if (HandedOver || _disposed) return;
        _disposed = true;
        if (!Process.HasExited) Process.Kill();
        Process.WaitForExit();
        Process.Dispose();
    }
}
