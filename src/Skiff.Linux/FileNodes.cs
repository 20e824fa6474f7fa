using System.Runtime.InteropServices;

namespace Skiff.Linux;

/// <summary>
/// The file calls System.IO lacks, for unpacking layers faithfully and diffing an overlay's upper
/// directory: ownership and times of a symlink itself, device nodes and their numbers, hard links,
/// xattrs, and syncing a tree before it is renamed into place.
/// </summary>
public static class FileNodes
{
    public const uint SIfChr = 0x2000, SIfBlk = 0x6000, SIfIfo = 0x1000, SIfDir = 0x4000, SIfLnk = 0xA000, SIfReg = 0x8000;
    private const uint SIfMt = 0xF000;
    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
    private const int ORdOnly = 0, ODirectory = 0x10000, OCloexec = 0x80000;
    private const int StatxType = 0x1, StatxBufferSize = 256;
    private const int ENoData = 61, ENotSup = 95;

    /// <summary>glibc's makedev: the major and minor numbers are split across the high and low halves.</summary>
    public static ulong DeviceNumber(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);

    public static void Lchown(string path, int uid, int gid) =>
        SyscallException.Check(Libc.lchown(path, (uint)uid, (uint)gid), $"lchown {path}");

    /// <summary>A device node or FIFO: <paramref name="typeAndMode"/> is S_IF* | permission bits.</summary>
    public static void Mknod(string path, uint typeAndMode, uint major, uint minor) =>
        SyscallException.Check(Libc.mknod(path, typeAndMode, DeviceNumber(major, minor)), $"mknod {path}");

    /// <summary>A second name for the same inode: a change made in place through either is seen through both.</summary>
    public static void HardLink(string existing, string newPath) =>
        SyscallException.Check(Libc.link(existing, newPath), $"link {existing} to {newPath}");

    public static void Lsetxattr(string path, string name, ReadOnlySpan<byte> value) =>
        SyscallException.Check(Libc.lsetxattr(path, name, value, (nuint)value.Length, 0), $"lsetxattr {name} {path}");

    /// <summary>An xattr of the path itself (not of a symlink's target); null when it has none.</summary>
    public static string? Lgetxattr(string path, string name)
    {
        Span<byte> value = stackalloc byte[256];
        var length = Libc.lgetxattr(path, name, value, (nuint)value.Length);
        if (length < 0 && Marshal.GetLastPInvokeError() is ENoData or ENotSup)
            return null;
        SyscallException.Check((long)length, $"lgetxattr {name} {path}");
        return System.Text.Encoding.UTF8.GetString(value[..(int)length]);
    }

    /// <summary>The names of the path's own xattrs (a symlink's, not its target's) in every namespace this process may read.</summary>
    public static IReadOnlyList<string> ListXattrs(string path)
    {
        var size = Libc.llistxattr(path, [], 0);
        if (size < 0 && Marshal.GetLastPInvokeError() == ENotSup) return [];
        SyscallException.Check((long)size, $"llistxattr {path}");
        var names = new byte[size];
        var read = SyscallException.Check((long)Libc.llistxattr(path, names, (nuint)names.Length), $"llistxattr {path}");
        return System.Text.Encoding.UTF8.GetString(names, 0, (int)read).Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>An xattr's bytes, whatever their size; null when the path has no such xattr.</summary>
    public static byte[]? LgetxattrBytes(string path, string name)
    {
        var size = Libc.lgetxattr(path, name, [], 0);
        if (size < 0 && Marshal.GetLastPInvokeError() is ENoData or ENotSup) return null;
        SyscallException.Check((long)size, $"lgetxattr {name} {path}");
        var value = new byte[size];
        var read = SyscallException.Check((long)Libc.lgetxattr(path, name, value, (nuint)value.Length), $"lgetxattr {name} {path}");
        return value[..(int)read];
    }

    /// <summary>Sets atime and mtime of the path itself to the nanosecond, as <see cref="NodeStatus"/> read them.</summary>
    public static void SetTimesNoFollow(string path, (long Sec, uint Nsec) accessed, (long Sec, uint Nsec) modified)
    {
        var times = new Libc.Timespec[] { new() { Sec = accessed.Sec, Nsec = accessed.Nsec }, new() { Sec = modified.Sec, Nsec = modified.Nsec } };
        SyscallException.Check(Libc.utimensat(AtFdCwd, path, times, AtSymlinkNoFollow), $"utimensat {path}");
    }

    /// <summary>Sets atime and mtime of the path itself, not of what a symlink points to.</summary>
    public static void SetTimesNoFollow(string path, DateTimeOffset mtime)
    {
        var ticks = mtime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var ts = new Libc.Timespec { Sec = ticks / TimeSpan.TicksPerSecond, Nsec = ticks % TimeSpan.TicksPerSecond * 100 };
        SyscallException.Check(Libc.utimensat(AtFdCwd, path, [ts, ts], AtSymlinkNoFollow), $"utimensat {path}");
    }

    /// <summary>lstat's file type bits and device numbers, or null when nothing is at the path.
    /// struct statx has the same layout on every architecture.</summary>
    public static (uint Type, uint RdevMajor, uint RdevMinor)? Lstat(string path)
    {
        Span<byte> buffer = stackalloc byte[StatxBufferSize];
        var result = Libc.statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer);
        if (result < 0 && Marshal.GetLastPInvokeError() is Errno.ENOENT or Errno.ENOTDIR)
            return null;
        SyscallException.Check(result, $"statx {path}");
        var mode = MemoryMarshal.Read<ushort>(buffer[28..]);
        return (mode & SIfMt, MemoryMarshal.Read<uint>(buffer[128..]), MemoryMarshal.Read<uint>(buffer[132..]));
    }

    /// <summary>Makes the directory entries just renamed into it durable.</summary>
    public static void FsyncDirectory(string path)
    {
        using var directory = OpenDirectory(path);
        SyscallException.Check(Libc.fsync(directory.Value), $"fsync {path}");
    }

    /// <summary>Flushes a whole freshly unpacked tree in one call instead of fsyncing every file.</summary>
    public static void SyncFilesystemOf(string path)
    {
        using var directory = OpenDirectory(path);
        SyscallException.Check(Libc.syncfs(directory.Value), $"syncfs {path}");
    }

    private static OwnedFd OpenDirectory(string path) =>
        OwnedFd.Check(Libc.open(path, ORdOnly | ODirectory | OCloexec, 0), $"open {path}");
}
