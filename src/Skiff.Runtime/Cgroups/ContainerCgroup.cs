using Skiff.Linux;
using Skiff.Linux.Cgroups;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Cgroups;

public static class ContainerCgroup
{
    // The v1 hierarchies a container gets a directory in; whichever of them are mounted.
    private static readonly string[] V1Hierarchies = ["cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "devices", "freezer"];
    private static readonly string[] V2Controllers = ["cpu", "cpuset", "memory", "pids", "io"];

    /// <summary>
    /// Creates the container's cgroup under <paramref name="parent"/> (a relative path such as
    /// "skiff", created when missing) in every hierarchy, and writes every limit. On failure it
    /// removes what it created and throws a <see cref="CgroupException"/>.
    /// </summary>
    /// <param name="name">The container id: one path segment.</param>
    public static IContainerCgroup Create(CgroupLayout layout, string parent, string name, LinuxResources? resources) =>
        Create(CgroupFs.Instance, layout, parent, name, resources, TimeSpan.FromSeconds(2));

    /// <summary>
    /// The cgroup of a container created earlier, by this or another process: for joining it (exec),
    /// reading it (stats), freezing it, or removing what a crashed owner left behind.
    /// </summary>
    public static IContainerCgroup Open(CgroupLayout layout, string parent, string name)
    {
        var fs = CgroupFs.Instance;
        var parentSegments = parent.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var segment in parentSegments.Append(name)) CheckSegment(segment, parent, name);
        if (layout.Mode == CgroupMode.V2)
        {
            var leaf = Path.Join([layout.UnifiedMount!, .. parentSegments, name]);
            return new CgroupDirectories(fs, [leaf], [layout.UnifiedMount!], parentSegments, leaf, CgroupMode.V2, [], TimeSpan.FromSeconds(2));
        }
        var dirs = V1Directories(layout, parentSegments, name);
        var roots = V1Hierarchies.Where(layout.V1Mounts.ContainsKey).Select(c => layout.V1Mounts[c]).ToList();
        var leaves = dirs.Values.Distinct().ToList();
        if (layout.Mode == CgroupMode.Hybrid && layout.UnifiedMount is { } unified)
        {
            leaves.Add(Path.Join([unified, .. parentSegments, name]));
            roots.Add(unified);
        }
        return new CgroupDirectories(fs, leaves, roots, parentSegments, dirs.GetValueOrDefault("memory"), CgroupMode.V1, [], TimeSpan.FromSeconds(2));
    }

    /// <summary>Writes new limits into an existing container cgroup (runc update); returns what this kernel could not apply.</summary>
    public static IReadOnlyList<string> Update(CgroupLayout layout, string parent, string name, LinuxResources resources)
    {
        var parentSegments = parent.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var segment in parentSegments.Append(name)) CheckSegment(segment, parent, name);
        var warnings = new List<string>();
        if (layout.Mode == CgroupMode.V2)
            V2Limits.Apply(CgroupFs.Instance, Path.Join([layout.UnifiedMount!, .. parentSegments, name]), resources, warnings);
        else
            V1Limits.Apply(CgroupFs.Instance, V1Directories(layout, parentSegments, name), resources, warnings);
        return warnings;
    }

    private static Dictionary<string, string> V1Directories(CgroupLayout layout, string[] parentSegments, string name) =>
        V1Hierarchies.Where(layout.V1Mounts.ContainsKey).ToDictionary(c => c, c => Path.Join([layout.V1Mounts[c], .. parentSegments, name]));

    internal static IContainerCgroup Create(ICgroupFs fs, CgroupLayout layout, string parent, string name,
        LinuxResources? resources, TimeSpan destroyTimeout)
    {
        var parentSegments = parent.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var segment in parentSegments.Append(name)) CheckSegment(segment, parent, name);

        var roots = new List<string>();
        var created = new List<string>();
        var warnings = new List<string>();
        try
        {
            if (layout.Mode == CgroupMode.V2)
            {
                var root = layout.UnifiedMount!;
                roots.Add(root);
                var leaf = AcrossParentRemoval(() => CreateV2(fs, root, parentSegments, name, created));
                if (resources is not null) V2Limits.Apply(fs, leaf, resources, warnings);
                var memory = fs.FileExists(Path.Join(leaf, "memory.events")) ? leaf : null;
                return new CgroupDirectories(fs, [leaf], roots, parentSegments, memory, CgroupMode.V2, warnings, destroyTimeout);
            }

            var dirs = new Dictionary<string, string>();
            var leaves = new List<string>();
            foreach (var controller in V1Hierarchies)
            {
                if (!layout.V1Mounts.TryGetValue(controller, out var root)) continue;
                var leaf = Path.Join([root, .. parentSegments, name]);
                dirs[controller] = leaf;
                // Co-mounted controllers ("cpu,cpuacct") share one directory.
                if (leaves.Contains(leaf)) continue;
                roots.Add(root);
                leaves.Add(leaf);
                AcrossParentRemoval(() => CreateV1(fs, root, parentSegments, name, resources?.Cpu, created));
            }
            if (layout.Mode == CgroupMode.Hybrid && layout.UnifiedMount is { } unified)
            {
                // systemd's unified hierarchy holds no controllers Skiff uses, but joining it
                // keeps the container's processes visible to cgroup2 tools, as runc does. No
                // limit depends on it, so a unified mount we may not write to is no reason to fail.
                try
                {
                    leaves.Add(CreateV2(fs, unified, parentSegments, name, created, enableControllers: false));
                    roots.Add(unified);
                }
                catch (CgroupException e)
                {
                    warnings.Add($"not joining the unified hierarchy: {e.Message}");
                }
            }
            if (resources is not null) V1Limits.Apply(fs, dirs, resources, warnings);
            return new CgroupDirectories(fs, leaves, roots, parentSegments, dirs.GetValueOrDefault("memory"), CgroupMode.V1, warnings, destroyTimeout);
        }
        catch (CgroupException)
        {
            RemoveCreated(fs, created);
            throw;
        }
    }

    /// <summary>
    /// A parent of the caller's own (--cgroup-parent) goes with the last container that leaves it,
    /// which may happen between this making the parent and making the container's directory in it
    /// (ENOENT): make the parents again, a few times, rather than fail the start.
    /// </summary>
    private static T AcrossParentRemoval<T>(Func<T> create)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return create();
            }
            catch (CgroupException e) when (attempt < 5 && e.InnerException is SyscallException { Errno: Errno.ENOENT })
            {
            }
        }
    }

    private static void AcrossParentRemoval(Action create) => AcrossParentRemoval(() => { create(); return 0; });

    private static void CheckSegment(string segment, string parent, string name)
    {
        if (segment is "" or "." or ".." || segment.Contains('/') || segment.Contains('\0'))
            throw new InvalidInputException($"cgroup path \"{parent}/{name}\": \"{segment}\" is not a valid directory name");
    }

    private static void CreateV1(ICgroupFs fs, string root, string[] parentSegments, string name, CpuResources? cpu, List<string> created)
    {
        var dir = root;
        foreach (var segment in parentSegments)
        {
            var parentDir = dir;
            dir = Path.Join(dir, segment);
            if (fs.MakeCgroupDirectory(dir)) created.Add(dir);
            // Also when the directory already existed: another container may have created it a
            // moment ago and not have filled its cpuset yet.
            FillCpuset(fs, dir, parentDir, null, null);
        }
        var leaf = Path.Join(dir, name);
        MakeLeaf(fs, leaf, created);
        FillCpuset(fs, leaf, dir, cpu?.Cpus, cpu?.Mems);
    }

    // A v1 cpuset starts with empty cpus and mems, and the kernel refuses tasks until both are set.
    private static void FillCpuset(ICgroupFs fs, string dir, string parentDir, string? cpus, string? mems)
    {
        if (!fs.FileExists(Path.Join(dir, "cpuset.cpus"))) return;
        foreach (var (file, requested) in new[] { ("cpuset.cpus", cpus), ("cpuset.mems", mems) })
        {
            if (requested is not null) fs.WriteFile(dir, file, requested);
            else if (fs.ReadFile(dir, file).Trim().Length == 0) fs.WriteFile(dir, file, fs.ReadFile(parentDir, file).Trim());
        }
    }

    private static string CreateV2(ICgroupFs fs, string root, string[] parentSegments, string name, List<string> created, bool enableControllers = true)
    {
        var dir = root;
        foreach (var segment in parentSegments)
        {
            if (enableControllers) EnableControllers(fs, dir);
            dir = Path.Join(dir, segment);
            if (fs.MakeCgroupDirectory(dir)) created.Add(dir);
        }
        if (enableControllers) EnableControllers(fs, dir);
        var leaf = Path.Join(dir, name);
        MakeLeaf(fs, leaf, created);
        return leaf;
    }

    // A v2 child only gets the controllers its parent lists in cgroup.subtree_control.
    private static void EnableControllers(ICgroupFs fs, string dir)
    {
        var available = fs.ReadFile(dir, "cgroup.controllers").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var wanted = V2Controllers.Where(available.Contains).Select(c => "+" + c).ToList();
        if (wanted.Count == 0) return;
        try
        {
            fs.WriteFile(dir, "cgroup.subtree_control", string.Join(' ', wanted));
        }
        catch (CgroupException)
        {
            // The kernel applies a multi-controller write all or nothing; one controller that
            // cannot be enabled (cpu while a realtime task sits here) must not cost the others.
            // A limit that needs a missing controller fails later, naming its file.
            foreach (var controller in wanted)
            {
                try { fs.WriteFile(dir, "cgroup.subtree_control", controller); }
                catch (CgroupException) { }
            }
        }
    }

    private static void MakeLeaf(ICgroupFs fs, string leaf, List<string> created)
    {
        if (!fs.MakeCgroupDirectory(leaf))
            throw new CgroupException(leaf, $"cgroup: {leaf} already exists (a container with this id, or one left behind)");
        created.Add(leaf);
    }

    // Best effort: the original failure is what the caller needs to see; a parent that another
    // container joined in the meantime stays.
    private static void RemoveCreated(ICgroupFs fs, List<string> created)
    {
        for (var i = created.Count - 1; i >= 0; i--)
        {
            try { fs.RemoveDirectory(created[i]); }
            catch (SyscallException) { }
        }
    }
}
