using System.Runtime.InteropServices;

namespace Skiff.Linux;

/// <summary>
/// A file descriptor owned by one scope and closed when it is disposed, as crun's <c>cleanup_close</c>
/// does: whichever way the scope is left (returned, thrown), the descriptor is closed, and once only.
/// </summary>
public sealed class OwnedFd : SafeHandle
{
    public OwnedFd(int fd) : base(invalidHandleValue: -1, ownsHandle: true) => SetHandle(fd);

    /// <summary>Owns what a call returned, or throws its errno naming <paramref name="operation"/>.</summary>
    public static OwnedFd Check(int result, string operation) => new(SyscallException.Check(result, operation));

    public override bool IsInvalid => handle < 0;

    /// <summary>The number, for a call made while this is still open.</summary>
    public int Value => IsClosed ? throw new ObjectDisposedException(nameof(OwnedFd)) : (int)handle;

    /// <summary>Hands the number to its next owner (a stream, a record of the container) and no longer closes it.</summary>
    public int Release()
    {
        var fd = Value;
        SetHandleAsInvalid();
        return fd;
    }

    protected override bool ReleaseHandle() => Libc.close((int)handle) == 0;
}
