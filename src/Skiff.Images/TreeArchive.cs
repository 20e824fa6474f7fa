using System.Formats.Tar;
using Skiff.Linux;

namespace Skiff.Images;

/// <summary>One file to put in a tar: where it is now, and its member name. A whiteout member is
/// written as the empty <c>.wh.</c> file OCI layers use, whatever is at <paramref name="Path"/>.</summary>
public sealed record ArchiveMember(string Path, string Name, bool Whiteout = false);

/// <summary>Tars of directory trees as they are on disk: modes, owners, times, symlinks and device
/// nodes kept, symlinks never followed, so a tree can be read through a container's root without a
/// link in it reaching the host.</summary>
public static class TreeArchive
{
    /// <summary>The path, then (for a directory) everything below it, parents before children, in name
    /// order so the same tree always gives the same tar. An empty <paramref name="name"/> leaves the
    /// root itself out and names its children relative to it.</summary>
    public static IEnumerable<ArchiveMember> Walk(string path, string name)
    {
        if (name.Length > 0)
            yield return new ArchiveMember(path, name);
        if (!IsDirectory(path))
            yield break;
        foreach (var child in Children(path))
            foreach (var member in Walk(Path.Join(path, child), Join(name, child)))
                yield return member;
    }

    public static void Write(Stream output, IEnumerable<ArchiveMember> members)
    {
        var written = false;
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var member in members)
            {
                if (member.Whiteout)
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, member.Name) { Mode = (UnixFileMode)0b110_100_100, ModificationTime = DateTimeOffset.UnixEpoch });
                else
                    writer.WriteEntry(member.Path, member.Name);
                written = true;
            }
        }
        if (!written)
            WriteEmpty(output);
    }

    /// <summary>
    /// An archive with no members, as Docker writes an empty layer: the two zero blocks that end a
    /// tar. TarWriter writes nothing at all when given no entry, and zero bytes are no tar.
    /// </summary>
    public static void WriteEmpty(Stream output) => output.Write(new byte[1024]);

    /// <summary>Streams the tar the members make into <paramref name="consume"/> (an unpack, usually)
    /// without holding it in memory or on disk.</summary>
    public static void Pipe(IEnumerable<ArchiveMember> members, Action<Stream> consume) =>
        Pipe(tar => Write(tar, members), consume);

    /// <summary>Streams what <paramref name="write"/> writes (a tar made entry by entry) into <paramref name="consume"/>.</summary>
    public static void Pipe(Action<Stream> write, Action<Stream> consume)
    {
        using var server = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        using var client = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, server.ClientSafePipeHandle);
        var writing = Task.Run(() =>
        {
            using (server)
                write(server);
        });
        try
        {
            consume(client);
        }
        finally
        {
            // A consumer that stops early must not leave the writer blocked on a full pipe.
            client.Dispose();
        }
        writing.GetAwaiter().GetResult();
    }

    internal static string Join(string name, string child) => name.Length == 0 ? child : name + "/" + child;

    internal static bool IsDirectory(string path) => FileNodes.Lstat(path)?.Type == FileNodes.SIfDir;

    internal static IEnumerable<string> Children(string directory) =>
        Directory.EnumerateFileSystemEntries(directory).Select(e => Path.GetFileName(e)).Order(StringComparer.Ordinal);
}
