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
        if (layerDirs.Count == 0) return;
        try
        {
            MergedLayers.Read(layerDirs, rootfs =>
            {
                var source = RootfsPath.Resolve(rootfs, target);
                if (Directory.Exists(source)) TreeCopy.Contents(source, volumeDir);
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Linux.SkiffException)
        {
            throw new IOException($"filling the volume at {target} from the image: {e.Message}", e);
        }
    }
}
