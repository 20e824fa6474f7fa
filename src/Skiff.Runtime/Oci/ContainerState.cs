using Skiff.Linux;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Oci;

/// <summary>
/// What the runtime keeps of one container between its verbs (runc's state.json). The pid alone
/// could name another process after the container's exits; with its start time it names one.
/// </summary>
public sealed record ContainerState
{
    public required string Id { get; init; }
    public required string Bundle { get; init; }
    public required RuntimeSpec Spec { get; init; }
    public int Pid { get; init; }
    public ulong PidStartTime { get; init; }
    public DateTime Created { get; init; }
    public string CgroupParent { get; init; } = "";
    public string CgroupName { get; init; } = "";
    /// <summary>Set between create's first write and init waiting for start.</summary>
    public bool Creating { get; init; }
    public bool Paused { get; init; }

    /// <summary>The container's init, if the process that has its pid is still the one we started.</summary>
    public bool InitAlive()
    {
        if (Pid <= 0) return false;
        return ProcessStat.Read(Pid) is { } stat && stat.StartTime == PidStartTime && stat.IsRunning;
    }

    /// <param name="startFifoExists">whether start has yet to open the container's exec fifo.</param>
    public OciStatus Status(bool startFifoExists)
    {
        if (Creating) return OciStatus.Creating;
        if (!InitAlive()) return OciStatus.Stopped;
        if (startFifoExists) return OciStatus.Created;
        return Paused ? OciStatus.Paused : OciStatus.Running;
    }

    public string Rootfs => Path.GetFullPath(Spec.Root.Path, Bundle);
}
