using System.Formats.Tar;
using System.Text;
using Skiff.Linux;

namespace Skiff.Images;

/// <summary>Extracts one layer tar into a directory that becomes an overlay lower dir. Everything the
/// tar describes is kept (modes, owners, mtimes, xattrs, symlinks, hard links, device nodes) and OCI
/// whiteouts become overlay whiteouts. A member that would land outside the target (absolute path,
/// "..", a path through a symlink, a hard link to outside), an oversized header or name, or
/// overlayfs's own xattrs stop the unpack with <see cref="UnsafeLayerEntryException"/> before
/// anything is written for that member.</summary>
public static class LayerUnpacker
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";
    private const string OverlayOpaqueXattr = "trusted.overlay.opaque";

    /// <param name="applyOwnership">lchown every member to the tar's uid/gid and set its trusted.* and
    /// security.* xattrs. Only root may; rootless callers pass false and get files owned by themselves,
    /// without those xattrs.</param>
    public static void Unpack(Stream tar, string target, bool applyOwnership)
    {
        target = Path.GetFullPath(target);
        Directory.CreateDirectory(target);
        // Directory times and modes go last: creating children would bump the mtime, and a
        // read-only directory could refuse them.
        var directories = new List<(string Path, TarEntry Entry)>();

        using var inspected = new InspectedTarStream(tar);
        using var reader = new TarReader(inspected, leaveOpen: true);
        string? previous = null;
        while (NextEntry(reader, previous) is { } entry)
        {
            previous = entry.Name;
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
                continue;
            if (entry.Length != inspected.CurrentLength)
                throw new UnsafeLayerEntryException(entry.Name, "its headers disagree about its size");
            try
            {
                if (UnpackMember(entry, inspected.CurrentXattrs, target, applyOwnership) is { } directory)
                    directories.Add((directory, entry));
            }
            // A full disk is not the member's fault: it goes up as itself, for the caller to say where.
            catch (Exception e) when (e is IOException or SyscallException && !ImageStoreFullException.IsNoSpace(e))
            {
                throw new LayerMemberException(entry.Name, e.Message);
            }
        }

        // Tar layers may end with padding after the end-of-archive blocks; the caller's digest covers it.
        inspected.CopyTo(Stream.Null);

        for (var i = directories.Count - 1; i >= 0; i--)
        {
            var (path, entry) = directories[i];
            File.SetUnixFileMode(path, entry.Mode);
            FileNodes.SetTimesNoFollow(path, entry.ModificationTime);
        }
    }

    /// <summary>The reader's own complaints about a malformed archive, said with where it went wrong.</summary>
    private static TarEntry? NextEntry(TarReader reader, string? previous)
    {
        try
        {
            return reader.GetNextEntry();
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new LayerMemberException(previous is null ? "(first member)" : $"(the one after '{previous}')", $"malformed tar: {e.Message}");
        }
    }

    /// <summary>Writes one member; returns its path when it is a directory whose mode and times are
    /// still to be set.</summary>
    private static string? UnpackMember(TarEntry entry, IReadOnlyDictionary<string, byte[]> xattrs, string target, bool privileged)
    {
        RefuseLongName(entry.Name, entry.Name);
        if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
            RefuseLongName(entry.LinkName, entry.Name);
        var parts = SplitMemberName(entry.Name, entry.Name);
        if (parts.Length == 0)
        {
            // "./" describes the layer root itself.
            if (entry.EntryType is not TarEntryType.Directory)
                return null;
            ApplyOwner(target, entry, privileged);
            ApplyXattrs(target, entry.Name, xattrs, privileged);
            return target;
        }

        var name = parts[^1];
        var parent = EnsureParentDirectories(target, parts, entry.Name);

        if (name == OpaqueWhiteout)
        {
            FileNodes.Lsetxattr(parent, OverlayOpaqueXattr, "y"u8);
            return null;
        }
        if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            var hidden = name[WhiteoutPrefix.Length..];
            // Other ".wh..wh." names are AUFS bookkeeping with no overlay meaning.
            if (hidden.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
                return null;
            if (hidden is "" or "." or "..")
                throw new UnsafeLayerEntryException(entry.Name, "whiteout of an invalid name");
            var whiteout = Path.Combine(parent, hidden);
            RemoveExisting(whiteout);
            // Overlayfs's whiteout is a 0:0 character device owned by root.
            FileNodes.Mknod(whiteout, FileNodes.SIfChr, 0, 0);
            return null;
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
                ApplyOwner(path, entry, privileged);
                ApplyXattrs(path, entry.Name, xattrs, privileged);
                return path;

            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                RemoveExisting(path);
                // CreateNew is O_CREAT|O_EXCL: it never follows whatever might sit at the name.
                using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
                {
                    try
                    {
                        entry.DataStream?.CopyTo(file, 1 << 20);
                    }
                    catch
                    {
                        // A file cut short (a full disk) is not left under its name: cp into a container keeps its space.
                        File.Delete(path);
                        throw;
                    }
                }
                break;

            case TarEntryType.SymbolicLink:
                RemoveExisting(path);
                File.CreateSymbolicLink(path, entry.LinkName);
                break;

            case TarEntryType.HardLink:
                var existing = ResolveHardLinkTarget(target, entry);
                RemoveExisting(path);
                FileNodes.HardLink(existing, path);
                // A hard link shares the inode: its owner, mode, xattrs and mtime are the target's.
                return null;

            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                RemoveExisting(path);
                var type = entry.EntryType switch
                {
                    TarEntryType.CharacterDevice => FileNodes.SIfChr,
                    TarEntryType.BlockDevice => FileNodes.SIfBlk,
                    _ => FileNodes.SIfIfo,
                };
                var (major, minor) = entry is PosixTarEntry posix ? (posix.DeviceMajor, posix.DeviceMinor) : (0, 0);
                FileNodes.Mknod(path, type | (uint)entry.Mode, (uint)major, (uint)minor);
                break;

            default:
                throw new UnsafeLayerEntryException(entry.Name, $"unsupported tar entry type {entry.EntryType}");
        }

        ApplyOwner(path, entry, privileged);
        // chown clears set-id bits, so the mode goes after it; symlinks have no mode of their own.
        if (entry.EntryType is not TarEntryType.SymbolicLink)
            File.SetUnixFileMode(path, entry.Mode);
        // chown also drops security.capability, so xattrs follow it.
        ApplyXattrs(path, entry.Name, xattrs, privileged);
        FileNodes.SetTimesNoFollow(path, entry.ModificationTime);
        return null;
    }

    private static void RefuseLongName(string name, string member)
    {
        if (Encoding.UTF8.GetByteCount(name) >= InspectedTarStream.PathMax)
            throw new UnsafeLayerEntryException(member.Length > 200 ? member[..200] + "…" : member,
                $"a name of {Encoding.UTF8.GetByteCount(name)} bytes; paths are limited to PATH_MAX ({InspectedTarStream.PathMax} bytes)");
    }

    /// <summary>Sets the member's SCHILY.xattr.* records. Overlayfs's own xattrs are refused: a layer
    /// that carried them could redirect lookups or fake opacity in the container's overlay, and
    /// opaque directories and whiteouts have their .wh. forms. Without privilege the trusted.* and
    /// security.* namespaces are left out, as ownership is.</summary>
    private static void ApplyXattrs(string path, string member, IReadOnlyDictionary<string, byte[]> xattrs, bool privileged)
    {
        foreach (var (name, value) in xattrs)
        {
            if (name.StartsWith("trusted.overlay.", StringComparison.Ordinal) || name.StartsWith("user.overlay.", StringComparison.Ordinal))
                throw new UnsafeLayerEntryException(member, $"xattr '{name}' is overlayfs metadata, which a layer may not set");
            if (!privileged && (name.StartsWith("trusted.", StringComparison.Ordinal) || name.StartsWith("security.", StringComparison.Ordinal)))
                continue;
            try
            {
                FileNodes.Lsetxattr(path, name, value);
            }
            catch (Exception e) when (e is IOException or SyscallException)
            {
                throw new LayerMemberException(member, $"the kernel refused its xattr '{name}' ({value.Length} bytes): {e.Message}");
            }
        }
    }

    /// <summary>Splits a member name into components, refusing absolute paths and "..". "./" and empty
    /// components are dropped, so "./a//b/" is ["a", "b"].</summary>
    /// <param name="linkOf">Set when <paramref name="name"/> is the target of this hard link, so a
    /// refusal names the target rather than blaming the member's own name.</param>
    internal static string[] SplitMemberName(string name, string memberForErrors, bool linkOf = false)
    {
        var what = linkOf ? $"hard link target '{name}' is " : "";
        // umoci names the layer root "/"; that one absolute name is harmless, every other is refused.
        if (name.StartsWith('/') && name.Trim('/') is not ("" or "."))
            throw new UnsafeLayerEntryException(memberForErrors, what + "an absolute path");
        if (name.Contains('\0'))
            throw new UnsafeLayerEntryException(memberForErrors, what + "a path with a NUL in it");
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Contains(".."))
            throw new UnsafeLayerEntryException(memberForErrors, what + "a path with a '..' component");
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
        var parts = SplitMemberName(entry.LinkName, entry.Name, linkOf: true);
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
            FileNodes.Lchown(path, entry.Uid, entry.Gid);
    }
}

public sealed class UnsafeLayerEntryException(string member, string reason)
    : ImageException($"refusing layer member '{member}': {reason}")
{
    public string Member { get; } = member;
    public string Reason { get; } = reason;
}

/// <summary>A member the kernel or the tar format would not let us write faithfully.</summary>
public sealed class LayerMemberException(string member, string reason)
    : ImageException($"cannot unpack layer member '{member}': {reason}")
{
    public string Member { get; } = member;
    public string Reason { get; } = reason;
}
