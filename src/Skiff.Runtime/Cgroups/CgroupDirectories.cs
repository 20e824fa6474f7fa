using System.Diagnostics;
using System.Globalization;
using Skiff.Linux;
using Skiff.Linux.Cgroups;

namespace Skiff.Runtime.Cgroups;

// A created container cgroup: its directory in each hierarchy, and the parent chain above them
// that it tries to remove once the last container in it is gone.
internal sealed partial class CgroupDirectories(
    ICgroupFs fs,
    IReadOnlyList<string> leaves,
    IReadOnlyList<string> roots,
    IReadOnlyList<string> parentSegments,
    string? memoryDir,
    CgroupMode memoryMode,
    IReadOnlyList<string> warnings,
    TimeSpan destroyTimeout) : IContainerCgroup
{
    public IReadOnlyList<string> Paths => leaves;

    public IReadOnlyList<string> Warnings => warnings;

    public void AddProcess(int pid)
    {
        foreach (var leaf in leaves) fs.WriteFile(leaf, "cgroup.procs", pid.ToString(CultureInfo.InvariantCulture));
    }

    public bool OomKilled()
    {
        if (memoryDir is null || !fs.DirectoryExists(memoryDir)) return false;
        return memoryMode == CgroupMode.V2
            ? Counter(fs.ReadFile(memoryDir, "memory.events"), "oom_kill") > 0
            : V1OomKilled(fs.ReadFile(memoryDir, "memory.oom_control"), () => fs.ReadFile(memoryDir, "memory.failcnt"));
    }

    /// <summary>
    /// memory.oom_control has counted kills in "oom_kill" since 4.13. Older kernels only say
    /// "under_oom"; then a hit on the limit (failcnt) is the best evidence there is.
    /// </summary>
    internal static bool V1OomKilled(string oomControl, Func<string> failcnt)
    {
        if (Counter(oomControl, "oom_kill") is { } kills) return kills > 0;
        return Counter(oomControl, "under_oom") > 0
            && long.TryParse(failcnt().Trim(), CultureInfo.InvariantCulture, out var failures) && failures > 0;
    }

    // Flat-keyed cgroup files: one "key value" per line.
    internal static long? Counter(string text, string key)
    {
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var value))
                return value;
        }
        return null;
    }

    public void Destroy()
    {
        var remaining = leaves.Where(fs.DirectoryExists).ToList();
        var clock = Stopwatch.StartNew();
        while (remaining.Count > 0)
        {
            foreach (var leaf in remaining.ToList())
            {
                KillAll(leaf);
                // A killed process stays in the group until its parent reaps it (EBUSY until then).
                if (TryRemove(leaf, Errno.EBUSY)) remaining.Remove(leaf);
            }
            if (remaining.Count == 0) break;
            if (clock.Elapsed > destroyTimeout)
            {
                var pids = remaining.SelectMany(Procs).Distinct();
                throw new CgroupException(remaining[0],
                    $"cgroup: {remaining[0]} still busy after {destroyTimeout.TotalSeconds:0.#} s (processes: {string.Join(", ", pids)})");
            }
            Thread.Sleep(10);
        }

        // The engine's own parent stays, as Docker's does: it is standing state that every container
        // start would otherwise create again (a directory per hierarchy, the cpuset copied down).
        if (string.Join('/', parentSegments) == ContainerRuntime.DefaultCgroupParent) return;
        foreach (var root in roots.Distinct())
        {
            for (var depth = parentSegments.Count; depth > 0; depth--)
            {
                // Other containers keep the parent busy; that is expected and ends the climb.
                if (!TryRemove(Path.Join([root, .. parentSegments.Take(depth)]), Errno.EBUSY, Errno.ENOTEMPTY)) break;
            }
        }
    }

    private void KillAll(string leaf)
    {
        var pids = Procs(leaf);
        if (pids.Count == 0) return;
        // cgroup.kill (v2, Linux 5.14+) also catches processes forked while we kill.
        if (fs.FileExists(Path.Join(leaf, "cgroup.kill"))) fs.WriteFile(leaf, "cgroup.kill", "1");
        else foreach (var pid in pids) fs.Kill(pid);
    }

    private List<int> Procs(string leaf)
    {
        try
        {
            return fs.Read(Path.Join(leaf, "cgroup.procs"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => int.Parse(p, CultureInfo.InvariantCulture))
                .ToList();
        }
        catch (SyscallException e) when (e.Errno == Errno.ENOENT)
        {
            return [];
        }
    }

    // True when the directory is gone (also if it already was); false on one of the tolerated errnos.
    private bool TryRemove(string dir, params int[] tolerated)
    {
        try
        {
            fs.RemoveDirectory(dir);
            return true;
        }
        catch (SyscallException e) when (e.Errno == Errno.ENOENT)
        {
            return true;
        }
        catch (SyscallException e) when (tolerated.Contains(e.Errno))
        {
            return false;
        }
        catch (SyscallException e)
        {
            throw new CgroupException(dir, $"cgroup: cannot remove {dir}: {CheckedCgroupFs.Reason(e)}", e);
        }
    }
}
