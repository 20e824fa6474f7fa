using System.Diagnostics;
using Skiff.Linux;
using Skiff.Runtime.Rootfs;

namespace Skiff.Engine.Volumes;

/// <summary>
/// Fills a new volume with what the image holds at the mount's target, as Docker does the first
/// time a volume is mounted: modes, owners, symlinks and all. The image is looked at as the
/// container will see it (its layers merged by a read-only overlay, the target's symlinks resolved
/// inside it), so a link in the image can never make the copy read the host's files.
/// </summary>
internal static class VolumeCopyUp
{
    public static void Fill(IReadOnlyList<string> layerDirs, string target, string volumeDir)
    {
        switch (layerDirs.Count)
        {
            case 0: return;
            case 1: Copy(layerDirs[0], target, volumeDir); return;
        }
        // Several layers need an overlay to be seen merged. It is mounted in a mount namespace of a
        // thread of its own, which vanishes with the thread: no crash can leave it behind on the host.
        var merged = Path.Join(Path.GetTempPath(), $"skiff-copyup-{Guid.NewGuid():N}");
        Directory.CreateDirectory(merged);
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Namespaces.Unshare(NamespaceKind.Mount);
                var sys = LinuxSyscalls.Instance;
                sys.Mount(null, "/", null, MountFlags.Private | MountFlags.Recursive, null);
                // The mount namespace came with a working directory of this thread's own, which OverlayMount may change.
                OverlayMount.Mount(sys, merged, MountFlags.ReadOnly, layerDirs, null, null);
                Copy(merged, target, volumeDir);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        Directory.Delete(merged);
        if (failure is not null) throw new IOException($"filling the volume at {target} from the image: {failure.Message}", failure);
    }

    private static void Copy(string rootfs, string target, string volumeDir)
    {
        var source = RootfsPath.Resolve(rootfs, target);
        if (!Directory.Exists(source)) return;
        // cp -a keeps everything a tree can hold (owners, modes, times, links, device nodes, xattrs),
        // and copying "DIR/." gives the volume's own directory the mode and owner of the image's.
        using var cp = Process.Start(new ProcessStartInfo("cp", ["-a", "--", source + "/.", volumeDir]) { RedirectStandardError = true })!;
        var error = cp.StandardError.ReadToEnd();
        cp.WaitForExit();
        if (cp.ExitCode != 0) throw new IOException($"cp -a {source} {volumeDir}: {error.Trim()}");
    }
}
