using System.Formats.Tar;
using Skiff.Images;

namespace Skiff.Engine.Build;

/// <summary>
/// Writes a COPY or ADD step's layer: entries as <see cref="LayerEntry"/> lists them, owned by
/// root (or --chown's user) unless told to keep the owner on disk, with --chmod's mode if given;
/// an archive ADD unpacks is written member by member under its destination.
/// </summary>
public static class CopyLayer
{
    private const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101;

    public static void Write(Stream output, IEnumerable<LayerEntry> entries)
    {
        var list = entries.ToList();
        if (list.Count == 0)
        {
            TreeArchive.WriteEmpty(output);
            return;
        }
        using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var entry in list)
        {
            if (entry.UnpackArchive)
                WriteArchive(writer, entry);
            else if (entry.DiskPath is null)
                writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, entry.Name)
                {
                    Mode = entry.Mode ?? DirectoryMode, Uid = entry.Uid, Gid = entry.Gid, ModificationTime = DateTimeOffset.UnixEpoch,
                });
            else if (entry.KeepOwner && entry.Mode is null)
                writer.WriteEntry(entry.DiskPath, entry.Name);
            else
                WriteFile(writer, entry);
        }
    }

    private static void WriteFile(TarWriter writer, LayerEntry entry)
    {
        var path = entry.DiskPath!;
        var info = new FileInfo(path);
        var modified = new DateTimeOffset(info.LastWriteTimeUtc);
        if (info.LinkTarget is { } target)
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, entry.Name)
            {
                LinkName = target, Mode = (UnixFileMode)0b111_111_111, Uid = entry.Uid, Gid = entry.Gid, ModificationTime = modified,
            });
            return;
        }
        if (Directory.Exists(path))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, entry.Name)
            {
                Mode = entry.Mode ?? File.GetUnixFileMode(path), Uid = entry.Uid, Gid = entry.Gid, ModificationTime = modified,
            });
            return;
        }
        if (!File.Exists(path))
            return;
        using var data = File.OpenRead(path);
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, entry.Name)
        {
            Mode = entry.Mode ?? File.GetUnixFileMode(path), Uid = entry.Uid, Gid = entry.Gid, ModificationTime = modified, DataStream = data,
        });
    }

    /// <summary>Whether ADD unpacks the file: a tar, plain or compressed as layers are.</summary>
    public static bool IsArchive(string path)
    {
        if (!File.Exists(path) || new FileInfo(path).LinkTarget is not null)
            return false;
        try
        {
            using var file = File.OpenRead(path);
            using var stream = Decompressed(file);
            using var reader = new TarReader(stream);
            return reader.GetNextEntry() is not null;
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or IOException or NotSupportedException)
        {
            return false;
        }
    }

    private static Stream Decompressed(FileStream file)
    {
        Span<byte> head = stackalloc byte[6];
        var read = file.Read(head);
        file.Position = 0;
        return LayerCompression.Decompress(file, LayerCompression.SniffMediaType(head[..read]));
    }

    // The archive's own owners and modes stay, as Docker's ADD keeps them; --chown replaces the owner.
    private static void WriteArchive(TarWriter writer, LayerEntry entry)
    {
        using var file = File.OpenRead(entry.DiskPath!);
        using var stream = Decompressed(file);
        using var reader = new TarReader(stream);
        // copyData: a decompressing stream cannot seek back to a member's data once past it.
        while (reader.GetNextEntry(copyData: true) is { } member)
        {
            if (member.EntryType is TarEntryType.GlobalExtendedAttributes)
                continue;
            var name = Under(entry.Name, member.Name);
            if (name is null)
                continue;
            var copy = new PaxTarEntry(member) { Name = name };
            if (member.EntryType == TarEntryType.HardLink && Under(entry.Name, member.LinkName) is { } link)
                copy.LinkName = link;
            if (!entry.KeepOwner)
            {
                copy.Uid = entry.Uid;
                copy.Gid = entry.Gid;
            }
            writer.WriteEntry(copy);
        }
    }

    // The member's name under the destination, cleaned; null for the archive's root itself.
    private static string? Under(string destination, string member)
    {
        var cleaned = Context.IgnorePatterns.CleanPath("/" + member).TrimStart('/');
        if (cleaned.Length == 0)
            return null;
        return destination.Length == 0 ? cleaned : destination + "/" + cleaned;
    }
}
