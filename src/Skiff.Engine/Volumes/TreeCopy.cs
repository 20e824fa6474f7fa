using Skiff.Linux;

namespace Skiff.Engine.Volumes;

/// <summary>
/// Copies a directory's contents as <c>cp -a DIR/. DEST</c> does, without a process per volume:
/// every kind of node (files, directories, symlinks, hard links kept as links, device nodes, fifos,
/// sockets) with its owner, permission bits (setuid, setgid, sticky), xattrs and times. The
/// destination directory itself takes the source directory's owner, mode, xattrs and times.
/// </summary>
internal static class TreeCopy
{
    private const int EPerm = 1, ENotSup = 95;

    public static void Contents(string source, string destination)
    {
        var linked = new Dictionary<(uint, uint, ulong), string>();
        var root = NodeStatus.Of(source);
        CopyChildren(source, destination, linked);
        CopyMetadata(source, destination, root);
    }

    private static void CopyChildren(string sourceDir, string destinationDir, Dictionary<(uint, uint, ulong), string> linked)
    {
        foreach (var source in Directory.EnumerateFileSystemEntries(sourceDir))
        {
            var destination = Path.Join(destinationDir, Path.GetFileName(source));
            var node = NodeStatus.Of(source);
            var inode = (node.DeviceMajor, node.DeviceMinor, node.Inode);
            var shared = node.Type != FileNodes.SIfDir && node.Links > 1;
            if (shared && linked.TryGetValue(inode, out var first))
            {
                // A second name of an inode already copied: the same inode in the copy too.
                FileNodes.HardLink(first, destination);
                continue;
            }
            switch (node.Type)
            {
                case FileNodes.SIfDir:
                    Directory.CreateDirectory(destination);
                    CopyChildren(source, destination, linked);
                    break;
                case FileNodes.SIfLnk:
                    File.CreateSymbolicLink(destination, new FileInfo(source).LinkTarget!);
                    break;
                case FileNodes.SIfReg:
                    File.Copy(source, destination);
                    break;
                default:
                    // Character and block devices, fifos and sockets: a node of the same type and numbers.
                    FileNodes.Mknod(destination, node.Type | node.Mode, node.RdevMajor, node.RdevMinor);
                    break;
            }
            if (shared) linked[inode] = destination;
            CopyMetadata(source, destination, node);
        }
    }

    /// <summary>Owner first, since chown clears setuid and setgid; the times last, since every change before moves them.</summary>
    private static void CopyMetadata(string source, string destination, NodeStatus node)
    {
        FileNodes.Lchown(destination, (int)node.Uid, (int)node.Gid);
        if (node.Type != FileNodes.SIfLnk) File.SetUnixFileMode(destination, (UnixFileMode)node.Mode);
        foreach (var name in FileNodes.ListXattrs(source))
        {
            if (FileNodes.LgetxattrBytes(source, name) is not { } value) continue;
            try { FileNodes.Lsetxattr(destination, name, value); }
            // As cp -a: an xattr the destination cannot hold (a namespace this filesystem or process may not write) is left behind.
            catch (SyscallException e) when (e.Errno is ENotSup or EPerm) { }
        }
        FileNodes.SetTimesNoFollow(destination, node.Accessed, node.Modified);
    }
}
