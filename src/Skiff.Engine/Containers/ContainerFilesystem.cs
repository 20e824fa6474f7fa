using Skiff.Engine.State;
using Skiff.Images;
using Skiff.Runtime.Rootfs;
using Skiff.Linux;

namespace Skiff.Engine.Containers;

/// <summary>
/// cp and export. A running container is read and written through /proc/PID/root, its root as its
/// own mount namespace sees it, with every path resolved inside that root first (a symlink in the
/// container never leads to the host). A stopped container is read from its layers and upper dir
/// as overlayfs would merge them, with nothing mounted on the host; writing into one is refused.
/// A running container is paused while Skiff reads or writes its files, as Docker's cp does
/// (CVE-2018-15664): no process inside can swap a resolved path for a symlink to the host
/// between Skiff resolving it and using it.
/// </summary>
public sealed class ContainerFilesystem(ContainerEngine engine)
{
    /// <summary>The container's path and everything below, as a tar named by its last component.</summary>
    public void CopyOut(string reference, string path, Stream tar)
    {
        var record = engine.Find(reference);
        WhileStill(record, () => TreeArchive.Write(tar, Members(record, path, null)));
    }

    /// <summary>The container's path to the host, as <c>cp</c> does: into an existing directory under its
    /// own name, or else as the host path itself.</summary>
    public void CopyOut(string reference, string path, string hostPath)
    {
        var record = engine.Find(reference);
        var (directory, name) = Destination(Path.GetFullPath(hostPath), BaseName(path));
        if (!Directory.Exists(directory))
            throw new InvalidInputException($"cannot copy to {hostPath}: {directory} is not a directory");
        WhileStill(record, () => TreeArchive.Pipe(Members(record, path, name), tar => LayerUnpacker.Unpack(tar, directory, applyOwnership: false)));
    }

    /// <summary>A host file or directory into the running container, by the same rule as <see cref="CopyOut(string, string, string)"/>.</summary>
    public void CopyIn(string reference, string hostPath, string path)
    {
        if (!Path.Exists(hostPath) && new FileInfo(hostPath).LinkTarget is null)
            throw new InvalidInputException($"cannot copy {hostPath}: no such file or directory");
        var record = engine.Find(reference);
        WhileStill(record, () =>
        {
            var resolved = ResolveRunning(record, path);
            var (directory, name) = Destination(resolved.Host, BaseName(Path.GetFullPath(hostPath)));
            if (!Directory.Exists(directory))
                throw new InvalidInputException($"cannot copy to {path} in container {resolved.Record.Name}: its parent is not a directory");
            TreeArchive.Pipe(TreeArchive.Walk(hostPath, name), tar => UnpackInto(resolved.Record, tar, directory, path));
        });
    }

    /// <summary>A tar stream unpacked into a directory of the running container.</summary>
    public void CopyIn(string reference, Stream tar, string path)
    {
        var record = engine.Find(reference);
        WhileStill(record, () =>
        {
            var resolved = ResolveRunning(record, path);
            if (!Directory.Exists(resolved.Host))
                throw new InvalidInputException($"cannot extract to {path} in container {resolved.Record.Name}: not a directory");
            UnpackInto(resolved.Record, tar, resolved.Host, path);
        });
    }

    // The unpacker removes a file that did not fit, so a full disk still has room to record the container unpaused.
    private static void UnpackInto(ContainerRecord record, Stream tar, string directory, string path)
    {
        try
        {
            LayerUnpacker.Unpack(tar, directory, applyOwnership: false);
        }
        catch (Exception e) when (ImageStoreFullException.IsNoSpace(e))
        {
            throw new StateUnwritableException($"no space left to copy into {path} of container {record.Name}: free some space on its filesystem and copy again; the file that did not fit was not kept", e);
        }
    }

    private void WhileStill(ContainerRecord record, Action work)
    {
        if (IsRunning(record)) new ContainerFreezer(engine).WhileFrozen(record, work);
        else work();
    }

    /// <summary>export: the container's whole filesystem (without what is mounted into it) as one flat tar.</summary>
    public void Export(string reference, Stream tar) =>
        TreeArchive.Write(tar, Merged(engine.Find(reference)).Walk([], ""));

    private IEnumerable<ArchiveMember> Members(ContainerRecord record, string path, string? name)
    {
        name ??= BaseName(path);
        if (IsRunning(record))
        {
            var root = ProcRoot(record);
            var host = RootfsPath.Resolve(root, path);
            if (!Path.Exists(host))
                throw new InvalidInputException($"no such file or directory in container {record.Name}: {path}");
            return TreeArchive.Walk(host, name);
        }
        var merged = Merged(record);
        var parts = RootfsPath.Resolve(path, merged.ReadLink);
        if (merged.Locate(parts) is null)
            throw new InvalidInputException($"no such file or directory in container {record.Name}: {path}");
        return merged.Walk(parts, name);
    }

    private sealed record ResolvedPath(ContainerRecord Record, string Host);

    private static ResolvedPath ResolveRunning(ContainerRecord record, string path)
    {
        if (!IsRunning(record))
            throw new ConflictException($"container {record.Name} is not running: copying into a stopped container is not supported (its filesystem is only mounted while it runs); start it first");
        return new ResolvedPath(record, RootfsPath.Resolve(ProcRoot(record), path));
    }

    private MergedTree Merged(ContainerRecord record)
    {
        var image = new ImageStore(engine.Paths.Images).Resolve(record.ImageId);
        return new MergedTree([.. image.LayerDirs, Path.Join(engine.Paths.Container(record.Id), "upper")]);
    }

    private static bool IsRunning(ContainerRecord record) =>
        record.Status is ContainerStatus.Running or ContainerStatus.Paused && record.Pid > 0;

    private static string ProcRoot(ContainerRecord record) => $"/proc/{record.Pid}/root";

    /// <summary>Docker's rule: into an existing directory under the source's name, else the destination is the new name.</summary>
    internal static (string Directory, string Name) Destination(string destination, string sourceName) =>
        Directory.Exists(destination)
            ? (destination, sourceName)
            : (Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(destination)) ?? "/", Path.GetFileName(Path.TrimEndingDirectorySeparator(destination)));

    private static string BaseName(string path) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(path)) is { Length: > 0 } name && name != ".." ? name : ".";
}
