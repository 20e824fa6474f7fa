using Skiff.Runtime;
using Skiff.Runtime.Cgroups;
using Skiff.Runtime.Spec;

namespace Skiff.UnitTests.Engine;

/// <summary>
/// An <see cref="IContainerRuntime"/> that records each verb as one line (a cgroup as its leaf's
/// first 12 characters) and runs <see cref="OnCall"/> first, so a test can look at the records at
/// the moment the engine reaches for the kernel. Nothing starts; starting throws.
/// </summary>
public sealed class FakeRuntime : IContainerRuntime
{
    public List<string> Calls { get; } = [];

    /// <summary>Processes the fake says still run: Kill answers whether the pid is one of them.</summary>
    public HashSet<int> Alive { get; } = [];

    public Action<string>? OnCall { get; set; }

    private void Record(string line)
    {
        OnCall?.Invoke(line);
        Calls.Add(line);
    }

    private static string Short(CgroupLocation cgroup) => $"{cgroup.Parent}/{cgroup.Name[..Math.Min(12, cgroup.Name.Length)]}";

    public RunningContainer Start(StartOptions options) => throw new NotSupportedException("the fake runtime starts nothing");

    public RunningContainer Exec(string id, RuntimeSpec spec, CgroupLocation cgroup, int[]? stdio, int preservedFds = 0, bool detached = false) => throw new NotSupportedException("the fake runtime starts nothing");

    public bool Kill(int pid, int signal)
    {
        Record($"kill {pid} {signal}");
        return Alive.Contains(pid);
    }

    public void Delete(CgroupLocation cgroup, bool frozen) => Record($"delete {Short(cgroup)}{(frozen ? " frozen" : "")}");

    public void Pause(CgroupLocation cgroup) => Record($"pause {Short(cgroup)}");

    public void Resume(CgroupLocation cgroup) => Record($"resume {Short(cgroup)}");

    public bool IsPaused(CgroupLocation cgroup) => false;

    public IReadOnlyList<int> Processes(CgroupLocation cgroup)
    {
        Record($"processes {Short(cgroup)}");
        return [.. Alive];
    }

    public CgroupStats Stats(CgroupLocation cgroup) => throw new NotSupportedException();

    public IReadOnlyList<string> Update(CgroupLocation cgroup, LinuxResources resources) => throw new NotSupportedException();
}
