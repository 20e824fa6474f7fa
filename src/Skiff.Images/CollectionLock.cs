using Microsoft.Win32.SafeHandles;

namespace Skiff.Images;

/// <summary>Keeps garbage collection away from blobs that are written but not yet referenced: every
/// pull, load and import holds this lock shared for its whole run, and collection holds it
/// exclusively, so it only ever sees finished work. The kernel drops it if the holder dies.</summary>
internal static class CollectionLock
{
    public static IDisposable Shared(string root) => Take(root, LibC.LockShared);

    public static IDisposable Exclusive(string root) => Take(root, LibC.LockExclusive);

    private static SafeFileHandle Take(string root, int operation)
    {
        var path = Path.Combine(root, "collection.lock");
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        try
        {
            LibC.Flock(handle, operation, path);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
