using Skiff.Engine.State;
using Skiff.Linux;

namespace Skiff.Engine.Containers;

/// <summary>What <c>container prune</c> removed and the disk space that gave back.</summary>
public sealed record PruneReport(IReadOnlyList<string> Removed, long ReclaimedBytes);

/// <summary>rename and container prune.</summary>
public sealed class ContainerHousekeeping(ContainerEngine engine)
{
    public void Rename(string reference, string newName)
    {
        ContainerStore.ValidateName(newName);
        var record = engine.Find(reference);
        if (record.Name == newName)
            throw new InvalidInputException($"renaming container {record.Name}: the new name is the same as the current one");
        if (engine.List().FirstOrDefault(c => c.Name == newName) is { } holder)
            throw new ConflictException($"the container name \"{newName}\" is already in use by container {holder.Id}: remove or rename that container to reuse the name");
        // The column is UNIQUE, so a rename racing another one for the same name still cannot both win.
        engine.Update(record.Id, c => c with { Name = newName });
    }

    /// <summary>Removes every container that is not running (created, exited, dead).</summary>
    public PruneReport Prune()
    {
        var removed = new List<string>();
        long reclaimed = 0;
        foreach (var record in engine.List().Where(c => c.Status is ContainerStatus.Created or ContainerStatus.Exited or ContainerStatus.Dead))
        {
            var size = DirectorySize(engine.Paths.Container(record.Id));
            engine.Remove(record.Id, force: false);
            removed.Add(record.Id);
            reclaimed += size;
        }
        return new PruneReport(removed, reclaimed);
    }

    // Symlinks are counted as themselves, never followed: one in a container's upper dir may point anywhere on the host.
    private static long DirectorySize(string path) =>
        Directory.Exists(path) ? DirectorySize(new DirectoryInfo(path)) : 0;

    private static long DirectorySize(DirectoryInfo directory) =>
        directory.EnumerateFileSystemInfos().Sum(e => e.LinkTarget is not null ? 0 : e is DirectoryInfo d ? DirectorySize(d) : ((FileInfo)e).Length);
}
