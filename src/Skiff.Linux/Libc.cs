using System.Runtime.InteropServices;

namespace Skiff.Linux;

// Raw libc entry points. Everything here returns -1 and sets errno; the typed wrappers around it
// turn that into a SyscallException at the call site, naming what was attempted.
internal static partial class Libc
{
    private const string Lib = "libc";

    [LibraryImport(Lib, SetLastError = true)] internal static partial int unshare(int flags);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int setns(int fd, int nstype);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mount(string? source, string target, string? fstype, ulong flags, string? data);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int umount2(string target, int flags);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int chdir(string path);
    [LibraryImport(Lib, SetLastError = true)] internal static unsafe partial byte* getcwd(byte* buffer, nuint size);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int link(string existing, string newPath);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mknod(string path, uint mode, ulong dev);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int chown(string path, uint uid, uint gid);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int lchown(string path, uint uid, uint gid);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int lsetxattr(string path, string name, ReadOnlySpan<byte> value, nuint size, int flags);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint lgetxattr(string path, string name, Span<byte> value, nuint size);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint llistxattr(string path, Span<byte> list, nuint size);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int utimensat(int dirFd, string path, ReadOnlySpan<Timespec> times, int flags);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int statx(int dirFd, string path, int flags, uint mask, Span<byte> buffer);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int fsync(int fd);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int syncfs(int fd);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int sethostname(string name, nuint len);
    [LibraryImport(Lib, SetLastError = true)] internal static partial long syscall(long number, nint a1, nint a2, nint a3);
    [LibraryImport(Lib, SetLastError = true, EntryPoint = "syscall")]
    internal static partial long syscall5(long number, nint a1, nint a2, nint a3, nint a4, nint a5);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int prctl(int option, nuint a2, nuint a3, nuint a4, nuint a5);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int capset(ref CapHeader header, [In] CapData[] data);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int setresuid(uint r, uint e, uint s);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int setresgid(uint r, uint e, uint s);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int setgroups(nuint size, [In] uint[] list);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int setsid();
    [LibraryImport(Lib, SetLastError = true)] internal static partial int ioctl(int fd, ulong request, nint arg);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int ioctl(int fd, ulong request, ref WinSize arg);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int dup2(int oldfd, int newfd);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int close(int fd);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int madvise(nint address, nuint length, int advice);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int fcntl(int fd, int cmd, int arg);
    [LibraryImport(Lib, SetLastError = true)] internal static unsafe partial int pipe2(int* fds, int flags);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags, uint mode);
    [LibraryImport(Lib, SetLastError = true)] internal static unsafe partial nint read(int fd, byte* buf, nint count);
    [LibraryImport(Lib, SetLastError = true)] internal static unsafe partial nint write(int fd, byte* buf, nint count);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int kill(int pid, int sig);
    [LibraryImport(Lib, SetLastError = true)] internal static unsafe partial int execve(byte* path, byte** argv, byte** envp);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int tcgetattr(int fd, out Termios termios);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int tcsetattr(int fd, int when, in Termios termios);
    [LibraryImport(Lib)] internal static partial void cfmakeraw(ref Termios termios);
    [LibraryImport(Lib)] internal static partial int isatty(int fd);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int socket(int domain, int type, int protocol);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int flock(int fd, int operation);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int ioctl(int fd, ulong request, ref IfReq arg);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int bind(int fd, in SockAddrUn address, int length);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int connect(int fd, in SockAddrUn address, int length);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int listen(int fd, int backlog);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int accept4(int fd, nint address, nint length, int flags);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int shutdown(int fd, int how);
    [LibraryImport(Lib, SetLastError = true)] internal static unsafe partial int poll(PollFd* fds, nuint count, int timeoutMs);
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mkfifo(string path, uint mode);
    [LibraryImport(Lib, SetLastError = true)] internal static unsafe partial nint sendmsg(int fd, MsgHdr* message, int flags);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int prlimit(int pid, int resource, in RLimit limit, nint old);
    [LibraryImport(Lib)] internal static partial uint umask(uint mask);
    [LibraryImport(Lib)] internal static unsafe partial int posix_spawn(int* pid, nint path, void* fileActions, void* attributes, nint* argv, nint* envp);
    [LibraryImport(Lib)] internal static unsafe partial int posix_spawn_file_actions_init(void* fileActions);
    [LibraryImport(Lib)] internal static unsafe partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);
    [LibraryImport(Lib)] internal static unsafe partial int posix_spawn_file_actions_destroy(void* fileActions);
    [LibraryImport(Lib, SetLastError = true)] internal static unsafe partial int waitpid(int pid, int* status, int options);
    [LibraryImport(Lib)] internal static partial uint geteuid();
    [LibraryImport(Lib)] internal static partial uint getegid();
    [LibraryImport(Lib)] internal static partial int getpid();

    [StructLayout(LayoutKind.Sequential)]
    internal struct RLimit { public ulong Soft; public ulong Hard; }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct MsgHdr
    {
        public void* Name; public uint NameLength;
        public void* Iov; public nuint IovLength;
        public void* Control; public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct IoVec { public void* Base; public nuint Length; }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec { public long Sec; public long Nsec; }

    [StructLayout(LayoutKind.Sequential)]
    internal struct CapHeader { public uint Version; public int Pid; }

    [StructLayout(LayoutKind.Sequential)]
    internal struct CapData { public uint Effective; public uint Permitted; public uint Inheritable; }

    [StructLayout(LayoutKind.Sequential)]
    internal struct WinSize { public ushort Rows; public ushort Cols; public ushort XPixel; public ushort YPixel; }

    // glibc's struct termios on Linux: 4 flag words, c_line, 32 control chars, two speeds.
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct Termios
    {
        public uint Iflag, Oflag, Cflag, Lflag;
        public byte Line;
        public fixed byte Cc[32];
        public uint Ispeed, Ospeed;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct SockAddrUn
    {
        public ushort Family;
        public fixed byte Path[108];
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct IfReq
    {
        public fixed byte Name[16];
        public short Flags;
        public fixed byte Pad[22];
    }
}
