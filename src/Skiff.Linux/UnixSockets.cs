using System.Runtime.InteropServices;
using System.Text;

namespace Skiff.Linux;

/// <summary>Unix stream sockets on a path, as raw descriptors that <see cref="Poll"/> can watch beside pipes and ptys.</summary>
public static class UnixSockets
{
    private const int AfUnix = 1, SockStream = 1, SockCloexec = 0x80000, SockNonblock = 0x800, ShutRdwr = 2;

    /// <summary>Binds and listens on <paramref name="path"/> (a stale socket there is replaced), readable and writable by its owner only.</summary>
    public static int Listen(string path)
    {
        File.Delete(path);
        var fd = SyscallException.Check(Libc.socket(AfUnix, SockStream | SockCloexec | SockNonblock, 0), "socket(AF_UNIX)");
        try
        {
            AtPath(path, (in Libc.SockAddrUn address) => Libc.bind(fd, in address, Marshal.SizeOf<Libc.SockAddrUn>()), "bind");
            // Nobody can connect before listen(), so the mode is in place before the first caller.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            SyscallException.Check(Libc.listen(fd, 16), $"listen {path}");
            return fd;
        }
        catch
        {
            FileDescriptors.Close(fd);
            throw;
        }
    }

    /// <summary>The next waiting connection, non-blocking; null when there is none.</summary>
    public static int? Accept(int listener)
    {
        var fd = Libc.accept4(listener, 0, 0, SockCloexec | SockNonblock);
        if (fd >= 0) return fd;
        var errno = Marshal.GetLastPInvokeError();
        return errno is Errno.EAGAIN or Errno.EINTR or Errno.ECONNABORTED ? null : throw new SyscallException("accept", errno);
    }

    /// <summary>A blocking connection to the socket at <paramref name="path"/>.</summary>
    public static int Connect(string path)
    {
        var fd = SyscallException.Check(Libc.socket(AfUnix, SockStream | SockCloexec, 0), "socket(AF_UNIX)");
        try
        {
            AtPath(path, (in Libc.SockAddrUn address) => Libc.connect(fd, in address, Marshal.SizeOf<Libc.SockAddrUn>()), "connect");
            return fd;
        }
        catch
        {
            FileDescriptors.Close(fd);
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="descriptor"/> over the connected socket (SCM_RIGHTS) with
    /// <paramref name="name"/> as the message, as runc hands a pty master to its --console-socket.
    /// </summary>
    public static unsafe void SendDescriptor(int socket, int descriptor, string name)
    {
        const int SolSocket = 1, ScmRights = 1;
        var payload = Encoding.UTF8.GetBytes(name);
        // cmsghdr: length (size_t), level (int), type (int), then the int, padded to 8 bytes.
        var control = stackalloc byte[24];
        new Span<byte>(control, 24).Clear();
        *(ulong*)control = 20;
        *(int*)(control + 8) = SolSocket;
        *(int*)(control + 12) = ScmRights;
        *(int*)(control + 16) = descriptor;
        fixed (byte* data = payload)
        {
            var iov = new Libc.IoVec { Base = data, Length = (nuint)payload.Length };
            var message = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = 24 };
            SyscallException.Check((long)Libc.sendmsg(socket, &message, 0), "sendmsg(SCM_RIGHTS)");
        }
    }

    /// <summary>Ends the connection both ways; a thread blocked reading it reads end of file.</summary>
    public static void Shutdown(int fd) => Libc.shutdown(fd, ShutRdwr);

    private delegate int AddressCall(in Libc.SockAddrUn address);

    /// <summary>
    /// A socket address holds 107 bytes of path; a longer one (a deep SKIFF_ROOT) is reached through
    /// a descriptor of its directory, /proc/self/fd/N/NAME, which the kernel resolves the same way.
    /// </summary>
    private static void AtPath(string path, AddressCall call, string operation)
    {
        if (Encoding.UTF8.GetByteCount(path) < 108)
        {
            SyscallException.Check(call(Address(path)), $"{operation} {path}");
            return;
        }
        var directory = FileDescriptors.Open(Path.GetDirectoryName(path)!, OPath | ODirectory);
        try
        {
            SyscallException.Check(call(Address($"/proc/self/fd/{directory}/{Path.GetFileName(path)}")), $"{operation} {path}");
        }
        finally
        {
            FileDescriptors.Close(directory);
        }
    }

    private const int OPath = 0x200000, ODirectory = 0x10000;

    private static unsafe Libc.SockAddrUn Address(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= 108) throw new InvalidInputException($"the socket name {path} is longer than the 107 bytes a unix socket allows");
        var address = new Libc.SockAddrUn { Family = AfUnix };
        for (var i = 0; i < bytes.Length; i++) address.Path[i] = bytes[i];
        return address;
    }
}
