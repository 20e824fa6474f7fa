namespace Skiff.Linux;

/// <summary>Raw descriptors for what crosses a fork/exec: pipes to init, the stdio it is handed, the pty.</summary>
public static class FileDescriptors
{
    private const int FGetfd = 1, FSetfd = 2, FdCloexec = 1, OCloexec = 0x80000;
    public const int ORdonly = 0, OWronly = 1, ORdwr = 2, ONoctty = 0x100, OPath = 0x200000;

    /// <summary>A pipe with both ends close-on-exec and owned; call <see cref="SetInheritable"/> on the end a child keeps.</summary>
    public static unsafe (OwnedFd Read, OwnedFd Write) Pipe()
    {
        int* fds = stackalloc int[2];
        SyscallException.Check(Libc.pipe2(fds, OCloexec), "pipe2");
        return (new OwnedFd(fds[0]), new OwnedFd(fds[1]));
    }

    public static void SetInheritable(int fd, bool inheritable)
    {
        var flags = SyscallException.Check(Libc.fcntl(fd, FGetfd, 0), $"fcntl({fd}, F_GETFD)");
        flags = inheritable ? flags & ~FdCloexec : flags | FdCloexec;
        SyscallException.Check(Libc.fcntl(fd, FSetfd, flags), $"fcntl({fd}, F_SETFD)");
    }

    /// <summary>Whether <paramref name="fd"/> is an open descriptor of this process.</summary>
    public static bool IsOpen(int fd) => Libc.fcntl(fd, FGetfd, 0) >= 0;

    public static int Open(string path, int flags, bool inheritable = false) =>
        SyscallException.Check(Libc.open(path, flags | (inheritable ? 0 : OCloexec), 0), $"open {path}");

    public static void Close(int fd) => Libc.close(fd);

    /// <summary>A named pipe at <paramref name="path"/>; opening it blocks until the other end is opened too.</summary>
    public static void MakeFifo(string path, UnixFileMode mode) =>
        SyscallException.Check(Libc.mkfifo(path, (uint)mode), $"mkfifo {path}");

    /// <summary>
    /// Marks every descriptor from <paramref name="first"/> up close-on-exec (close_range, Linux 5.11):
    /// descriptors our caller leaked to us (a shell's, a test runner's pipes) must not be handed
    /// on to a monitor or a container, where they would keep the caller's pipes open for as long
    /// as the container runs.
    /// </summary>
    public static void MarkAllCloseOnExec(int first = 3)
    {
        if (Libc.syscall(SyscallNumbers.CloseRange, first, unchecked((nint)uint.MaxValue), CloseRangeCloexec) == 0) return;
        // A seccomp profile older than close_range (the validation suite's, Docker's before 20.10)
        // answers EPERM, and init may already run under it: the same, one descriptor at a time.
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            if (int.TryParse(Path.GetFileName(entry), out var fd) && fd >= first)
                Libc.fcntl(fd, FSetfd, FdCloexec); // errors ignored: the listing's own descriptor is among them
    }

    private const int CloseRangeCloexec = 4;

    public static void Dup2(int from, int to) => SyscallException.Check(Libc.dup2(from, to), $"dup2({from}, {to})");

    public static bool IsTerminal(int fd) => Libc.isatty(fd) == 1;

    /// <summary>Reads up to buffer.Length bytes, retrying on EINTR; 0 at end of file. EIO (a pty whose other side is gone) also ends the stream.</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        var n = TryRead(fd, buffer);
        return n >= 0 ? n : throw new SyscallException($"read fd {fd}", Errno.EAGAIN);
    }

    /// <summary>For a descriptor in <see cref="Poll"/>: reads return at once, and writes take only what fits.</summary>
    public static void SetNonBlocking(int fd)
    {
        var flags = SyscallException.Check(Libc.fcntl(fd, FGetfl, 0), $"fcntl({fd}, F_GETFL)");
        SyscallException.Check(Libc.fcntl(fd, FSetfl, flags | ONonblock), $"fcntl({fd}, F_SETFL)");
    }

    private const int FGetfl = 3, FSetfl = 4;
    public const int ONonblock = 0x800;

    /// <summary>On a non-blocking descriptor: bytes read, 0 at end of file (or EIO, as <see cref="Read"/>), -1 when nothing is there yet.</summary>
    public static unsafe int TryRead(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = Libc.read(fd, p, buffer.Length);
                if (n >= 0) return (int)n;
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN) return -1;
                if (errno == Errno.EIO) return 0;
                throw new SyscallException($"read fd {fd}", errno);
            }
        }
    }

    /// <summary>On a non-blocking descriptor: how many bytes were taken (0 when it is full).</summary>
    public static unsafe int TryWrite(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            while (true)
            {
                var n = Libc.write(fd, p, data.Length);
                if (n >= 0) return (int)n;
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN) return 0;
                throw new SyscallException($"write fd {fd}", errno);
            }
        }
    }

    public static void WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        for (var done = 0; done < data.Length;)
        {
            var n = TryWrite(fd, data[done..]);
            done += n > 0 ? n : throw new SyscallException($"write fd {fd}", Errno.EAGAIN);
        }
    }
}
