using System.Runtime.InteropServices;

namespace Skiff.Linux;

/// <summary>A failed system call: what was attempted, on what, and the kernel's errno.</summary>
public sealed class SyscallException(string operation, int errno)
    : SkiffException($"{operation}: {Marshal.GetPInvokeErrorMessage(errno)}")
{
    public string Operation { get; } = operation;
    public int Errno { get; } = errno;

    internal static int Check(int result, string operation) =>
        result < 0 ? throw new SyscallException(operation, Marshal.GetLastPInvokeError()) : result;

    internal static long Check(long result, string operation) =>
        result < 0 ? throw new SyscallException(operation, Marshal.GetLastPInvokeError()) : result;
}

public static class Errno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, EBADF = 9, EAGAIN = 11,
        EACCES = 13, EBUSY = 16, EEXIST = 17, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENOEXEC = 8,
        ENOTEMPTY = 39, ELOOP = 40, EPIPE = 32, ECONNABORTED = 103, ECONNREFUSED = 111;
}
