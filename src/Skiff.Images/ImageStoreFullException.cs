using Skiff.Linux;

namespace Skiff.Images;

/// <summary>
/// The filesystem under the image store ran out of space while a blob, snapshot or name was written.
/// The writer has removed its partial work before this is thrown, so nothing half-written stays.
/// </summary>
public sealed class ImageStoreFullException(string directory, Exception inner)
    : ImageException($"no space left on the filesystem of the image store {directory}: free some space (skiff system df, skiff image prune) and run the command again; nothing half-written was kept", inner)
{
    private const int NoSpace = 28;

    /// <summary>.NET's IOException carries the errno as its HResult; Skiff's own syscalls as Errno.</summary>
    public static bool IsNoSpace(Exception e) => e is IOException { HResult: NoSpace } or SyscallException { Errno: NoSpace };

    /// <summary>The sentence for a write that failed for want of space under <paramref name="directory"/>; null for any other failure.</summary>
    public static ImageStoreFullException? From(Exception e, string directory) => IsNoSpace(e) ? new(directory, e) : null;
}
