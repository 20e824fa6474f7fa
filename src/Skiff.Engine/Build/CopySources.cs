using System.Security.Cryptography;
using System.Text;
using Skiff.Engine.Build.Context;
using Skiff.Images;

namespace Skiff.Engine.Build;

/// <summary>One thing a COPY or ADD puts in its layer: a file, directory or symlink on disk, or (with
/// no <paramref name="DiskPath"/>) a parent directory the destination needs.</summary>
/// <param name="Name">Its path in the layer, relative to the root.</param>
/// <param name="KeepOwner">Keep the owner it has on disk (COPY --from without --chown); else <paramref name="Uid"/>:<paramref name="Gid"/>.</param>
public sealed record LayerEntry(string Name, string? DiskPath, bool KeepOwner = false, int Uid = 0, int Gid = 0, UnixFileMode? Mode = null, bool UnpackArchive = false);

/// <summary>
/// The content digest a COPY's cache key takes: every copied file's path, type, permissions and
/// contents (or link target), never its times, so touching a file changes nothing and editing one
/// byte misses the cache from that step on.
/// </summary>
public static class ContentDigest
{
    public static Digest Of(IEnumerable<(string Name, string DiskPath)> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, path) in files)
        {
            var info = new FileInfo(path);
            var line = info.LinkTarget is { } target
                ? $"{name}\0l\0{target}\n"
                : Directory.Exists(path)
                    ? $"{name}\0d\0{Convert.ToString((int)File.GetUnixFileMode(path), 8)}\n"
                    : $"{name}\0f\0{Convert.ToString((int)File.GetUnixFileMode(path), 8)}\0{FileDigest(path)}\n";
            hash.AppendData(Encoding.UTF8.GetBytes(line));
        }
        return Digest.FromSha256(hash.GetHashAndReset());
    }

    private static string FileDigest(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
