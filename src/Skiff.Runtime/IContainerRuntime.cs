using Skiff.Runtime.Cgroups;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime;

/// <summary>Where a container's cgroup is: its parent (Docker's --cgroup-parent) and its own leaf.</summary>
public readonly record struct CgroupLocation(string Parent, string Name);

/// <summary>
/// The OCI runtime as a library (youki's libcontainer, crun's libcrun): the only way the engine and
/// skiff-runc reach a container's processes and cgroup, and a seam the engine's unit tests fill
/// with a fake.
/// </summary>
public interface IContainerRuntime
{
    /// <summary>create and start: a spec in, a running container out.</summary>
    RunningContainer Start(StartOptions options);

    /// <summary>Another process in a running container: the spec's namespaces carry the paths of the container's, and it joins the container's cgroup.</summary>
    /// <param name="preservedFds">how many of the caller's descriptors from 3 up the process receives as they are (runc's --preserve-fds).</param>
    /// <param name="detached">the caller exits without waiting for the process: its program runs only once the caller is gone, whose parent reaps it.</param>
    RunningContainer Exec(string id, RuntimeSpec spec, CgroupLocation cgroup, int[]? stdio, int preservedFds = 0, bool detached = false);

    /// <summary>Signals a container's process; false when it is already gone.</summary>
    bool Kill(int pid, int signal);

    /// <summary>Kills whatever is left in the container's cgroup and removes it; a frozen group is thawed first, or SIGKILL would wait.</summary>
    void Delete(CgroupLocation cgroup, bool frozen);

    /// <summary>Freezes every process of the container.</summary>
    void Pause(CgroupLocation cgroup);

    void Resume(CgroupLocation cgroup);

    /// <summary>Whether the container's cgroup is frozen (paused).</summary>
    bool IsPaused(CgroupLocation cgroup);

    /// <summary>The container's processes as the host numbers them.</summary>
    IReadOnlyList<int> Processes(CgroupLocation cgroup);

    CgroupStats Stats(CgroupLocation cgroup);

    /// <summary>Writes new limits into the container's cgroup; returns what the kernel could not apply.</summary>
    IReadOnlyList<string> Update(CgroupLocation cgroup, LinuxResources resources);
}
