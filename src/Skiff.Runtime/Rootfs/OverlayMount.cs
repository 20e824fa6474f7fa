using System.Text;
using Skiff.Linux;

namespace Skiff.Runtime.Rootfs;

/// <summary>
/// Mounts an overlay of image layers, however many the image has. mount(2) takes at most a page of
/// options, which some 40 absolute snapshot paths fill; past that the overlay is mounted from inside
/// the layers' common directory with names relative to it (containerd's way; Docker's short symlinks
/// would need a link farm to keep), and 64-hex layer names then fit about 60 layers in the page.
/// The caller's thread must have a working directory of its own (unshare(CLONE_NEWNS) gives it one):
/// the mount changes it.
/// </summary>
public static class OverlayMount
{
    /// <param name="lowerDirs">Bottom-up, as images list their layers.</param>
    /// <param name="upperDir">Null for a read-only overlay of the layers alone.</param>
    public static void Mount(ISyscalls sys, string target, MountFlags flags, IReadOnlyList<string> lowerDirs, string? upperDir, string? workDir)
    {
        var data = Data(lowerDirs, upperDir, workDir);
        if (Encoding.UTF8.GetByteCount(data) < Environment.SystemPageSize)
        {
            sys.Mount("overlay", target, "overlay", flags, data);
            return;
        }
        if (lowerDirs.Select(Path.GetDirectoryName).Distinct().ToList() is not [{ } parent])
            throw TooManyLayers(lowerDirs);
        var relative = Data([.. lowerDirs.Select(d => Path.GetFileName(d))], upperDir, workDir);
        if (Encoding.UTF8.GetByteCount(relative) >= Environment.SystemPageSize)
            throw TooManyLayers(lowerDirs);
        sys.Chdir(parent);
        sys.Mount("overlay", target, "overlay", flags, relative);
    }

    internal static string Data(IReadOnlyList<string> lowerDirs, string? upperDir, string? workDir) =>
        // overlayfs lists the uppermost lower layer first.
        $"lowerdir={string.Join(':', lowerDirs.Reverse())}" + (upperDir is null ? "" : $",upperdir={upperDir},workdir={workDir}");

    private static ContainerStartException TooManyLayers(IReadOnlyList<string> lowerDirs) =>
        new(125, $"the image has {lowerDirs.Count} layers, more than overlayfs's mount options can name in one page ({Environment.SystemPageSize} bytes)");
}
