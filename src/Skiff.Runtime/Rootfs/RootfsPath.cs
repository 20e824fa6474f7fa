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
        return Join(rootfs, Resolve(path, parts => new FileInfo(Join(rootfs, parts)).LinkTarget, $" in {rootfs}"));
    }

    /// <summary>
    /// The same resolution over any tree that can read its own symlinks (a container's layers that
    /// are not mounted, say): <paramref name="readLink"/> gets the components resolved so far and
    /// returns a symlink's target, or null for anything else. The result has no symlink and no "..".
    /// </summary>
    public static IReadOnlyList<string> Resolve(string path, Func<IReadOnlyList<string>, string?> readLink) =>
        Resolve(path, readLink, "");

    private static List<string> Resolve(string path, Func<IReadOnlyList<string>, string?> readLink, string where)
    {
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
            resolved.Add(part);
            if (readLink(resolved) is { } target)
            {
                resolved.RemoveAt(resolved.Count - 1);
                if (++followed > MaxSymlinks)
                    throw new IOException($"too many levels of symbolic links resolving {path}{where}");
                if (target.StartsWith('/')) resolved.Clear();
                foreach (var p in Split(target).Reverse()) pending.Push(p);
            }
        }
        return resolved;
    }

    private static IEnumerable<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private static string Join(string rootfs, IReadOnlyList<string> parts) =>
        parts.Count == 0 ? rootfs : rootfs + "/" + string.Join('/', parts);
}
