using System.Formats.Tar;

namespace Skiff.Images;

/// <summary>Extracts one layer tar into a directory that becomes an overlay lower dir. Everything the
/// tar describes is kept (modes, owners, mtimes, symlinks, hard links, device nodes) and OCI whiteouts
/// become overlay whiteouts. A member that would land outside the target (absolute path, "..",
/// a path through a symlink, a hard link to outside) stops the unpack with
/// <see cref="UnsafeLayerEntryException"/> before anything is written for it.</summary>
public static class LayerUnpacker
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";
    private const string OverlayOpaqueXattr = "trusted.overlay.opaque";

    /// <param name="applyOwnership">lchown every member to the tar's uid/gid. Only root may; rootless
    /// callers pass false and get files owned by themselves.</param>
    public static void Unpack(Stream tar, string target, bool applyOwnership)
    {
        target = Path.GetFullPath(target);
        Directory.CreateDirectory(target);
        // Directory times and modes go last: creating children would bump the mtime, and a
        // read-only directory could refuse them.
        var directories = new List<(string Path, TarEntry Entry)>();

        using var reader = new TarReader(tar, leaveOpen: true);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
                continue;
            var parts = SplitMemberName(entry.Name, entry.Name);
            if (parts.Length == 0)
            {
                // "./" describes the layer root itself.
                if (entry.EntryType is TarEntryType.Directory)
                {
                    ApplyOwner(target, entry, applyOwnership);
                    directories.Add((target, entry));
                }
                continue;
            }

            var name = parts[^1];
            var parent = EnsureParentDirectories(target, parts, entry.Name);

            if (name == OpaqueWhiteout)
            {
                LibC.Lsetxattr(parent, OverlayOpaqueXattr, "y"u8);
                continue;
            }
            if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                var hidden = name[WhiteoutPrefix.Length..];
                // Other ".wh..wh." names are AUFS bookkeeping with no overlay meaning.
                if (hidden.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
                    continue;
                if (hidden is "" or "." or "..")
                    throw new UnsafeLayerEntryException(entry.Name, "whiteout of an invalid name");
                var whiteout = Path.Combine(parent, hidden);
                RemoveExisting(whiteout);
                // Overlayfs's whiteout is a 0:0 character device owned by root.
                LibC.Mknod(whiteout, LibC.SIfChr, 0, 0);
                continue;
            }

            var path = Path.Combine(parent, name);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (Classify(path) != Kind.Directory)
                    {
                        RemoveExisting(path);
                        Directory.CreateDirectory(path);
                    }
                    ApplyOwner(path, entry, applyOwnership);
                    directories.Add((path, entry));
                    continue;

                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    RemoveExisting(path);
                    // CreateNew is O_CREAT|O_EXCL: it never follows whatever might sit at the name.
                    using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
                        entry.DataStream?.CopyTo(file, 1 << 20);
                    break;

                case TarEntryType.SymbolicLink:
                    RemoveExisting(path);
                    File.CreateSymbolicLink(path, entry.LinkName);
                    break;

                case TarEntryType.HardLink:
                    var existing = ResolveHardLinkTarget(target, entry);
                    RemoveExisting(path);
                    LibC.Link(existing, path);
                    // A hard link shares the inode: its owner, mode and mtime are the target's.
                    continue;

                case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                    RemoveExisting(path);
                    var type = entry.EntryType switch
                    {
                        TarEntryType.CharacterDevice => LibC.SIfChr,
                        TarEntryType.BlockDevice => LibC.SIfBlk,
                        _ => LibC.SIfIfo,
                    };
                    var (major, minor) = entry is PosixTarEntry posix ? (posix.DeviceMajor, posix.DeviceMinor) : (0, 0);
                    LibC.Mknod(path, type | (uint)entry.Mode, major, minor);
                    break;

                default:
                    throw new UnsafeLayerEntryException(entry.Name, $"unsupported tar entry type {entry.EntryType}");
            }

            ApplyOwner(path, entry, applyOwnership);
            // chown clears set-id bits, so the mode goes after it; symlinks have no mode of their own.
            if (entry.EntryType is not TarEntryType.SymbolicLink)
                File.SetUnixFileMode(path, entry.Mode);
            LibC.SetTimesNoFollow(path, entry.ModificationTime);
        }

        // Tar layers may end with padding after the end-of-archive blocks; the caller's digest covers it.
        tar.CopyTo(Stream.Null);

        for (var i = directories.Count - 1; i >= 0; i--)
        {
            var (path, entry) = directories[i];
            File.SetUnixFileMode(path, entry.Mode);
            LibC.SetTimesNoFollow(path, entry.ModificationTime);
        }
    }

    /// <summary>Splits a member name into components, refusing absolute paths and "..". "./" and empty
    /// components are dropped, so "./a//b/" is ["a", "b"].</summary>
    internal static string[] SplitMemberName(string name, string memberForErrors)
    {
        // umoci names the layer root "/"; that one absolute name is harmless, every other is refused.
        if (name.StartsWith('/') && name.Trim('/') is not ("" or "."))
            throw new UnsafeLayerEntryException(memberForErrors, "absolute path");
        if (name.Contains('\0'))
            throw new UnsafeLayerEntryException(memberForErrors, "NUL in path");
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Contains(".."))
            throw new UnsafeLayerEntryException(memberForErrors, "'..' path component");
        return parts;
    }

    /// <summary>Walks the member's parent directories inside the target one component at a time,
    /// creating missing ones and refusing to pass through a symlink or a non-directory. Since no
    /// component is a symlink and none is "..", the result is inside the target.</summary>
    private static string EnsureParentDirectories(string target, string[] parts, string member)
    {
        var current = target;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            current = Path.Combine(current, parts[i]);
            switch (Classify(current))
            {
                case Kind.Directory:
                    break;
                case Kind.Missing:
                    Directory.CreateDirectory(current);
                    break;
                case Kind.Symlink:
                    throw new UnsafeLayerEntryException(member, $"parent '{string.Join('/', parts[..(i + 1)])}' is a symlink");
                default:
                    throw new UnsafeLayerEntryException(member, $"parent '{string.Join('/', parts[..(i + 1)])}' is not a directory");
            }
        }
        return current;
    }

    private static string ResolveHardLinkTarget(string target, TarEntry entry)
    {
        var parts = SplitMemberName(entry.LinkName, entry.Name);
        if (parts.Length == 0)
            throw new UnsafeLayerEntryException(entry.Name, "hard link to the layer root");
        var current = target;
        for (var i = 0; i < parts.Length; i++)
        {
            current = Path.Combine(current, parts[i]);
            var kind = Classify(current);
            var last = i == parts.Length - 1;
            if (!last && kind != Kind.Directory)
                throw new UnsafeLayerEntryException(entry.Name, $"hard link target '{entry.LinkName}' goes through a {(kind == Kind.Symlink ? "symlink" : "non-directory")}");
            // link(2) does not follow a symlink given as the existing name, so linking to one is safe.
            if (last && kind is Kind.Missing or Kind.Directory)
                throw new UnsafeLayerEntryException(entry.Name, $"hard link target '{entry.LinkName}' is {(kind == Kind.Missing ? "not in the layer" : "a directory")}");
        }
        return current;
    }

    private enum Kind { Missing, Directory, Symlink, Other }

    // lstat semantics: a symlink is reported as such (dangling or not), never as what it points to.
    private static Kind Classify(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
            return Kind.Symlink;
        if (Directory.Exists(path))
            return Kind.Directory;
        return info.Exists ? Kind.Other : Kind.Missing;
    }

    private static void RemoveExisting(string path)
    {
        switch (Classify(path))
        {
            case Kind.Missing:
                return;
            case Kind.Directory:
                Directory.Delete(path, recursive: true);
                return;
            default:
                File.Delete(path);
                return;
        }
    }

    private static void ApplyOwner(string path, TarEntry entry, bool applyOwnership)
    {
        if (applyOwnership)
            LibC.Lchown(path, entry.Uid, entry.Gid);
    }
}

public sealed class UnsafeLayerEntryException(string member, string reason)
    : ImageException($"refusing layer member '{member}': {reason}")
{
    public string Member { get; } = member;
    public string Reason { get; } = reason;
}
