using Skiff.Linux;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Rootfs;

/// <summary>
/// Turns the spec's root and mounts into the container's filesystem, from inside its mount
/// namespace: everything below happens in a private copy of the mount table, so the host's table is
/// the same after the container as before it, whatever happens.
/// </summary>
public sealed class RootfsBuilder(ISyscalls sys)
{
    /// <summary>Mounts the rootfs (an absolute root.path) and everything under it, then pivots into it.</summary>
    /// <param name="beforePivot">runs once everything is mounted, with the host's paths still visible: the createContainer hooks.</param>
    public void MountAndPivot(RuntimeSpec spec, Action? beforePivot = null)
    {
        // Without this, the mounts below would propagate back into the host's namespace.
        sys.Mount(null, "/", null, MountFlags.Recursive | MountFlags.Private, null);

        var rootfs = spec.Root.Path;
        if (spec.Linux.Overlay is { } overlay)
            OverlayMount.Mount(sys, rootfs, 0, overlay.LowerDirs, overlay.UpperDir, overlay.WorkDir);
        else
            sys.Mount(rootfs, rootfs, null, MountFlags.Bind | MountFlags.Recursive, null); // pivot_root needs a mount point

        var devIsBound = false;
        foreach (var m in spec.Mounts)
        {
            MountOne(rootfs, m);
            if (m.Destination == "/dev" && MountOptions.Parse(m.Type, m.Options).IsBind) devIsBound = true;
        }
        if (!devIsBound) DeviceNodes.Create(sys, RootfsPath.Resolve(rootfs, "/dev"));
        DeviceNodes.CreateListed(sys, rootfs, spec.Linux.Devices ?? []);
        beforePivot?.Invoke();

        sys.Chdir(rootfs);
        // pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only the container's.
        sys.PivotRoot(".", ".");
        sys.Unmount(".", detach: true);
        sys.Chdir("/");
    }

    /// <summary>What must wait until the container's /proc and /sys are in place: masking and read-only paths, a read-only root.</summary>
    public void Finish(RuntimeSpec spec)
    {
        foreach (var path in spec.Linux.MaskedPaths ?? [])
        {
            if (Directory.Exists(path)) sys.Mount("tmpfs", path, "tmpfs", MountFlags.ReadOnly, null);
            else if (File.Exists(path)) sys.Mount("/dev/null", path, null, MountFlags.Bind, null);
        }
        foreach (var path in spec.Linux.ReadonlyPaths ?? [])
        {
            if (!Path.Exists(path)) continue;
            sys.Mount(path, path, null, MountFlags.Bind | MountFlags.Recursive, null);
            sys.Mount(null, path, null, MountFlags.Bind | MountFlags.Remount | MountFlags.ReadOnly | MountFlags.Recursive, null);
        }
        if (spec.Root.Readonly)
            sys.Mount(null, "/", null, MountFlags.Bind | MountFlags.Remount | MountFlags.ReadOnly, null);
    }

    private void MountOne(string rootfs, MountSpec m)
    {
        // A fresh "cgroup" (v1) mount with no controller named would claim every controller at once,
        // which the kernel refuses where each has its own hierarchy: the host's tree is bound
        // instead, with the mount's own options (read-only in every engine's default spec).
        if (m.Type == "cgroup") m = m with { Type = "bind", Source = "/sys/fs/cgroup", Options = [.. m.Options ?? [], "rbind"] };
        var options = MountOptions.Parse(m.Type, m.Options);
        var target = RootfsPath.Resolve(rootfs, m.Destination);
        if (options.IsBind)
        {
            var source = m.Source ?? throw new InvalidInputException($"bind mount on {m.Destination} has no source");
            if (Directory.Exists(source)) sys.MkdirAll(target);
            else sys.Touch(target);
            sys.Mount(source, target, null, options.Flags & (MountFlags.Bind | MountFlags.Recursive), null);
            if (options.RemountFlags != 0)
                sys.Mount(null, target, null, MountFlags.Bind | MountFlags.Remount | options.RemountFlags, null);
            // The remount above changes only the top mount; a recursive bind's submounts must be read-only too.
            if (options.Flags.HasFlag(MountFlags.ReadOnly | MountFlags.Recursive)) sys.MakeReadOnlyRecursive(target);
        }
        else
        {
            sys.MkdirAll(target);
            sys.Mount(m.Source ?? m.Type, target, m.Type, options.Flags, options.Data);
        }
        if (options.Propagation != 0) sys.Mount(null, target, null, options.Propagation, null);
    }
}
