using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Skiff.Linux;

/// <summary>
/// flock(2) on a lock file, held until the handle is disposed and dropped by the kernel if the
/// holder dies. It blocks: waiters sleep in the kernel and one wakes as soon as the lock is free,
/// where a try-and-sleep loop (what .NET's FileShare.None and SQLite's busy handler do) lets a
/// waiter lose every race to processes that happen to ask at the right moment.
/// </summary>
public static class FileLock
{
    private const int LockShared = 1, LockExclusive = 2, ORdOnly = 0, OCreat = 0x40, OCloexec = 0x80000;

    public static SafeFileHandle Shared(string path) => Take(path, LockShared);

    public static SafeFileHandle Exclusive(string path) => Take(path, LockExclusive);

    // Opened with open(2), not File.OpenHandle: .NET takes an flock of its own on open to emulate
    // FileShare, which would fail at once (a sharing violation) while another process holds the lock.
    private static SafeFileHandle Take(string path, int operation)
    {
        var handle = new SafeFileHandle(SyscallException.Check(Libc.open(path, ORdOnly | OCreat | OCloexec, 0x180), $"open {path}"), ownsHandle: true);
        try
        {
            int result;
            do result = Libc.flock((int)handle.DangerousGetHandle(), operation);
            while (result < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
            SyscallException.Check(result, $"flock {path}");
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
