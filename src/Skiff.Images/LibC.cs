using System.Runtime.InteropServices;

namespace Skiff.Images;

// The few calls System.IO lacks for faithful layer unpacking: ownership and times on symlinks
// themselves, device nodes, hard links, xattrs, and syncing a directory tree before it is renamed.
// Each wrapper turns errno into an IOException naming the path, right at the call site.
internal static partial class LibC
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000;
    private const int OCloexec = 0x80000;

    public const uint SIfChr = 0x2000;
    public const uint SIfBlk = 0x6000;
    public const uint SIfIfo = 0x1000;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Sec;
        public long Nsec;
    }

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysLchown(string path, uint uid, uint gid);

    [LibraryImport("libc", EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysMknod(string path, uint mode, ulong dev);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysLink(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysLsetxattr(string path, string name, ReadOnlySpan<byte> value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysUtimensat(int dirFd, string path, ReadOnlySpan<Timespec> times, int flags);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysOpen(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int SysFsync(int fd);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SysSyncfs(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int SysClose(int fd);

    public static void Lchown(string path, int uid, int gid) => Check(SysLchown(path, (uint)uid, (uint)gid), "lchown", path);

    public static void Mknod(string path, uint typeAndMode, int major, int minor) =>
        Check(SysMknod(path, typeAndMode, MakeDev((uint)major, (uint)minor)), "mknod", path);

    public static void Link(string existing, string newPath) => Check(SysLink(existing, newPath), "link", newPath);

    public static void Lsetxattr(string path, string name, ReadOnlySpan<byte> value) =>
        Check(SysLsetxattr(path, name, value, (nuint)value.Length, 0), $"lsetxattr {name}", path);

    /// <summary>Sets atime and mtime of the path itself, not of what a symlink points to.</summary>
    public static void SetTimesNoFollow(string path, DateTimeOffset mtime)
    {
        var ticks = mtime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var ts = new Timespec { Sec = ticks / TimeSpan.TicksPerSecond, Nsec = ticks % TimeSpan.TicksPerSecond * 100 };
        Check(SysUtimensat(AtFdCwd, path, [ts, ts], AtSymlinkNoFollow), "utimensat", path);
    }

    /// <summary>Makes the directory entries just renamed into it durable.</summary>
    public static void FsyncDirectory(string path) => WithDirectoryFd(path, fd => SysFsync(fd), "fsync");

    /// <summary>Flushes a whole freshly unpacked tree in one call instead of fsyncing every file.</summary>
    public static void SyncFilesystemOf(string path) => WithDirectoryFd(path, fd => SysSyncfs(fd), "syncfs");

    private static void WithDirectoryFd(string path, Func<int, int> call, string what)
    {
        var fd = SysOpen(path, ORdOnly | ODirectory | OCloexec);
        Check(fd, "open", path);
        try
        {
            Check(call(fd), what, path);
        }
        finally
        {
            SysClose(fd);
        }
    }

    // glibc's makedev: the major and minor numbers are split across the high and low halves.
    private static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);

    private static void Check(int result, string call, string path)
    {
        if (result < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"{call} '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
        }
    }
}
