using Skiff.Linux;

namespace Skiff.Runtime.Rootfs;

/// <summary>
/// An image's layers seen merged, read-only, for a moment (to fill a volume from the image): the
/// overlay is mounted in a mount namespace of a thread of its own, which vanishes with the thread,
/// so no crash can leave it behind on the host.
/// </summary>
public static class MergedLayers
{
    /// <summary>Runs <paramref name="read"/> on the thread that sees <paramref name="layerDirs"/> (lowest first, as an image lists them) merged at the path it is given.</summary>
    public static void Read(IReadOnlyList<string> layerDirs, Action<string> read) => Read(LinuxSyscalls.Instance, layerDirs, read);

    internal static void Read(ISyscalls sys, IReadOnlyList<string> layerDirs, Action<string> read)
    {
        if (layerDirs.Count == 1)
        {
            read(layerDirs[0]);
            return;
        }
        var merged = Path.Join(Path.GetTempPath(), $"skiff-layers-{Guid.NewGuid():N}");
        Directory.CreateDirectory(merged);
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                sys.Unshare(NamespaceKind.Mount);
                sys.Mount(null, "/", null, MountFlags.Private | MountFlags.Recursive, null);
                OverlayMount.Mount(sys, merged, MountFlags.ReadOnly, layerDirs, null, null);
                read(merged);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        Directory.Delete(merged);
        if (failure is not null) throw failure;
    }
}
