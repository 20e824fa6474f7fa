using System.Runtime.InteropServices;

namespace Skiff.Linux;

[StructLayout(LayoutKind.Sequential)]
public struct PollFd
{
    public const short In = 0x1, Out = 0x4, Err = 0x8, Hup = 0x10, Nval = 0x20;

    public int Fd;
    public short Events;
    public short Revents;

    public PollFd(int fd, short events) { Fd = fd; Events = events; Revents = 0; }
}

/// <summary>poll(2): one thread waits on any number of descriptors at once.</summary>
public static class Poll
{
    /// <summary>Waits until a descriptor is ready (or <paramref name="timeoutMs"/> passes; -1 waits forever), retrying on EINTR.</summary>
    public static unsafe int Wait(Span<PollFd> fds, int timeoutMs = -1)
    {
        fixed (PollFd* p = fds)
        {
            while (true)
            {
                var n = Libc.poll(p, (nuint)fds.Length, timeoutMs);
                if (n >= 0) return n;
                var errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.EINTR) throw new SyscallException("poll", errno);
            }
        }
    }
}
