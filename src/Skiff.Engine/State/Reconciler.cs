using System.Text;
using Skiff.Linux;
using Skiff.Linux.Cgroups;
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

    public static ContainerRecord Reconcile(ContainerStore store, ContainerRecord record)
    {
        if (record.Status is not (ContainerStatus.Running or ContainerStatus.Restarting or ContainerStatus.Paused)) return record;
        if (IsSkiffProcess(record.MonitorPid)) return record;

        var (parent, name) = CgroupLocation(record);
        var killed = record.Pid > 0 && ProcessControl.Signal(record.Pid, 9);
        try
        {
            // A frozen process does not die of SIGKILL until it is thawed.
            if (record.Status == ContainerStatus.Paused) ContainerCgroup.Open(CgroupLayout.Detect(), parent, name).Thaw();
            ContainerCgroup.Open(CgroupLayout.Detect(), parent, name).Destroy();
        }
        catch (CgroupException)
        {
            // Still busy: the next command tries again; the record is corrected either way.
        }
        return store.Update(record.Id, c => c with
        {
            Status = ContainerStatus.Exited,
            ExitCode = killed ? 137 : c.Status == ContainerStatus.Restarting ? c.ExitCode : UnknownExitCode,
            Pid = 0,
            FinishedAt = c.FinishedAt ?? DateTime.UtcNow,
            Error = $"the process that owned the container (pid {record.MonitorPid}) is gone",
        });
    }

    private static (string Parent, string Name) CgroupLocation(ContainerRecord record) =>
        (record.Request.CgroupParent ?? ContainerRuntime.DefaultCgroupParent, record.Id);

    /// <summary>Alive and a skiff process: a pid reused by something else does not count.</summary>
    private static bool IsSkiffProcess(int pid)
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
