namespace Skiff.Runtime.Cgroups;

/// <summary>A container's cgroup: one directory per hierarchy, limits already written.</summary>
public interface IContainerCgroup
{
    /// <summary>Writes the pid into cgroup.procs of every hierarchy.</summary>
    void AddProcess(int pid);

    /// <summary>Whether the kernel's OOM killer killed a process of this cgroup.</summary>
    bool OomKilled();

    /// <summary>
    /// Kills whatever is still inside (SIGKILL), waits up to about 2 s for the groups to empty,
    /// removes every hierarchy's directory, then the parent where no other container uses it.
    /// Calling it again after it succeeded does nothing.
    /// </summary>
    void Destroy();

    /// <summary>Stops every process of the group (freezer) and waits until the kernel says all are frozen.</summary>
    void Freeze();

    /// <summary>Lets the processes of a frozen group run again.</summary>
    void Thaw();

    /// <summary>Whether the group is frozen (or being frozen): a paused container, whatever its record says.</summary>
    bool IsFrozen();

    /// <summary>The processes in the group, as the host numbers them.</summary>
    IReadOnlyList<int> Processes();

    /// <summary>The group's resource counters now; a counter this kernel does not keep is null.</summary>
    CgroupStats ReadStats();

    /// <summary>The container's own directories, one per hierarchy.</summary>
    IReadOnlyList<string> Paths { get; }

    /// <summary>Requested limits this kernel could not apply (e.g. swap without swap accounting), as Docker warns.</summary>
    IReadOnlyList<string> Warnings => [];
}
