namespace Skiff.Runtime.Rootfs;

/// <summary>
/// Resolves a path inside a container's rootfs the way the container itself would see it: symlinks
/// are followed relative to the rootfs, absolute links restart at the rootfs, and ".." never climbs
/// above it. A mount target or volume path in an image can therefore never point at the host.
/// </summary>
public static class RootfsPath
{
    private const int MaxSymlinks = 255;

    public static string Resolve(string rootfs, string path)
    {
        rootfs = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootfs));
        var resolved = new List<string>();
        var pending = new Stack<string>(Split(path).Reverse());
        var followed = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".") continue;
            if (part == "..")
            {
                if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var candidate = Join(rootfs, resolved) + "/" + part;
            var info = new FileInfo(candidate);
            if (info.LinkTarget is { } target)
            {
                if (++followed > MaxSymlinks)
                    throw new IOException($"too many levels of symbolic links resolving {path} in {rootfs}");
                if (target.StartsWith('/')) resolved.Clear();
                foreach (var p in Split(target).Reverse()) pending.Push(p);
                continue;
            }
            resolved.Add(part);
        }
        return Join(rootfs, resolved);
    }

    private static IEnumerable<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private static string Join(string rootfs, List<string> parts) =>
        parts.Count == 0 ? rootfs : rootfs + "/" + string.Join('/', parts);
}
