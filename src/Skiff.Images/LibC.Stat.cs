using System.Runtime.InteropServices;

namespace Skiff.Images;

// What System.IO cannot say about a file when a layer is made from an overlay upper dir: a device's
// numbers (an overlay whiteout is a 0:0 character device) and the opaque-directory xattr.
internal static partial class LibC
{
    private const int StatxType = 0x1;
    private const int StatxBufferSize = 256;
    private const int ENoData = 61;
    private const int ENoEnt = 2;
    private const int ENotDir = 20;
    private const int ENotSup = 95;
    private const uint SIfMt = 0xF000;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SysStatx(int dirFd, string path, int flags, uint mask, Span<byte> buffer);

    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint SysLgetxattr(string path, string name, Span<byte> value, nuint size);

    public const uint SIfDir = 0x4000;
    public const uint SIfLnk = 0xA000;

    /// <summary>lstat's file type bits and device numbers, or null when nothing is at the path.
    /// struct statx has the same layout on every architecture.</summary>
    public static (uint Type, uint RdevMajor, uint RdevMinor)? Lstat(string path)
    {
        Span<byte> buffer = stackalloc byte[StatxBufferSize];
        var result = SysStatx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer);
        if (result < 0 && Marshal.GetLastPInvokeError() is ENoEnt or ENotDir)
            return null;
        Check(result, "statx", path);
        var mode = MemoryMarshal.Read<ushort>(buffer[28..]);
        return (mode & SIfMt, MemoryMarshal.Read<uint>(buffer[128..]), MemoryMarshal.Read<uint>(buffer[132..]));
    }

    /// <summary>An xattr of the path itself (not of a symlink's target); null when it has none.</summary>
    public static string? Lgetxattr(string path, string name)
    {
        Span<byte> value = stackalloc byte[256];
        var length = SysLgetxattr(path, name, value, (nuint)value.Length);
        if (length < 0 && Marshal.GetLastPInvokeError() is ENoData or ENotSup)
            return null;
        Check((int)length, $"lgetxattr {name}", path);
        return System.Text.Encoding.UTF8.GetString(value[..(int)length]);
    }
}
