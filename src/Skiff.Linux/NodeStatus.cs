using System.Runtime.InteropServices;

namespace Skiff.Linux;

/// <summary>
/// What lstat says of a path, as far as copying it faithfully needs: its type and permission bits
/// (setuid, setgid and sticky included), owner, identity (for hard links), device numbers and times.
/// </summary>
public readonly record struct NodeStatus(
    uint Type, uint Mode, uint Uid, uint Gid, ulong Inode, uint DeviceMajor, uint DeviceMinor, uint Links,
    uint RdevMajor, uint RdevMinor, (long Sec, uint Nsec) Accessed, (long Sec, uint Nsec) Modified)
{
    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>The path itself, not what a symlink points to. struct statx has the same layout on every architecture.</summary>
    public static NodeStatus Of(string path)
    {
        Span<byte> b = stackalloc byte[256];
        SyscallException.Check(Libc.statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, b), $"statx {path}");
        var mode = MemoryMarshal.Read<ushort>(b[28..]);
        return new NodeStatus(
            Type: mode & 0xF000u, Mode: mode & 0xFFFu,
            Uid: MemoryMarshal.Read<uint>(b[20..]), Gid: MemoryMarshal.Read<uint>(b[24..]),
            Inode: MemoryMarshal.Read<ulong>(b[32..]),
            DeviceMajor: MemoryMarshal.Read<uint>(b[136..]), DeviceMinor: MemoryMarshal.Read<uint>(b[140..]),
            Links: MemoryMarshal.Read<uint>(b[16..]),
            RdevMajor: MemoryMarshal.Read<uint>(b[128..]), RdevMinor: MemoryMarshal.Read<uint>(b[132..]),
            Accessed: (MemoryMarshal.Read<long>(b[64..]), MemoryMarshal.Read<uint>(b[72..])),
            Modified: (MemoryMarshal.Read<long>(b[112..]), MemoryMarshal.Read<uint>(b[120..])));
    }
}
