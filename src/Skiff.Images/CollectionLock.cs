using Skiff.Linux;

namespace Skiff.Images;

/// <summary>Keeps garbage collection away from blobs that are written but not yet referenced: every
/// pull, load and import holds this lock shared for its whole run, and collection holds it
/// exclusively, so it only ever sees finished work. The kernel drops it if the holder dies.</summary>
internal static class CollectionLock
{
    public static IDisposable Shared(string root) => FileLock.Shared(Path.Combine(root, "collection.lock"));

    public static IDisposable Exclusive(string root) => FileLock.Exclusive(Path.Combine(root, "collection.lock"));
}
