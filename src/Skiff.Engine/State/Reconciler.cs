using System.Text;
using Skiff.Runtime;
using Skiff.Runtime.Cgroups;

namespace Skiff.Engine.State;

/// <summary>
/// Makes the records tell the truth after a crash: a container whose owner (monitor or foreground
/// CLI) is gone has nobody to wait for it, log it or clean up after it. Its init is killed (it
/// cannot be re-adopted), its cgroup removed, and it is recorded as exited. Its mounts need no
/// cleaning: they only ever existed in the container's own mount namespace.
/// </summary>
internal static class Reconciler
{
    public const int UnknownExitCode = 255;

    /// <summary>
    /// The record as it stands after reconciling, or null when it was removed meanwhile. The
    /// caller's copy may be stale: the owner may have recorded a real exit (or another command
    /// removed the container) since it was read, so the decision is taken again on a fresh read and
    /// once more inside the write, never overwriting an exit somebody else recorded.
    /// </summary>
    public static ContainerRecord? Reconcile(ContainerStore store, IContainerRuntime runtime, ContainerRecord record)
    {
        if (!IsOrphaned(record)) return record;
        var fresh = store.TryGet(record.Id);
        if (fresh is null || !IsOrphaned(fresh)) return fresh;

        var killed = fresh.Pid > 0 && runtime.Kill(fresh.Pid, 9);
        try
        {
            // A frozen process does not die of SIGKILL until it is thawed.
            runtime.Delete(fresh.Cgroup(), frozen: fresh.Status == ContainerStatus.Paused);
        }
        catch (CgroupException)
        {
            // Still busy: the next command tries again; the record is corrected either way.
        }
        try
        {
            return store.Update(fresh.Id, c => c.MonitorPid != fresh.MonitorPid || !IsLive(c) ? c : c with
            {
                Status = ContainerStatus.Exited,
                ExitCode = killed ? 137 : c.Status == ContainerStatus.Restarting ? c.ExitCode : UnknownExitCode,
                Pid = 0,
                FinishedAt = c.FinishedAt ?? DateTime.UtcNow,
                Error = $"the process that owned the container (pid {fresh.MonitorPid}) is gone",
            });
        }
        catch (NoSuchContainerException)
        {
            return null;
        }
    }

    private static bool IsLive(ContainerRecord record) =>
        record.Status is ContainerStatus.Running or ContainerStatus.Restarting or ContainerStatus.Paused;

    private static bool IsOrphaned(ContainerRecord record) => IsLive(record) && !IsSkiffProcess(record.MonitorPid);

    /// <summary>Alive and a skiff process: a pid reused by something else does not count.</summary>
    internal static bool IsSkiffProcess(int pid)
    {
        if (pid <= 0) return false;
        try
        {
            var cmdline = File.ReadAllBytes($"/proc/{pid}/cmdline");
            var first = Encoding.UTF8.GetString(cmdline).Split('\0')[0];
            return Path.GetFileName(first) is "skiff" or "skiff.dll" || Encoding.UTF8.GetString(cmdline).Contains("skiff.dll");
        }
        catch (IOException)
        {
            return false;
        }
    }
}
