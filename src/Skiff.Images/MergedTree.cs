using Skiff.Linux;

namespace Skiff.Images;

/// <summary>
/// The filesystem overlayfs shows for a stack of layer directories, read without mounting anything:
/// the highest layer that has a name wins, a whiteout hides the name in every layer below, and an
/// opaque directory (or a non-directory) hides the directories below it.
/// </summary>
/// <param name="layersBottomFirst">Lower dirs lowest first, then the upper dir.</param>
public sealed class MergedTree(IReadOnlyList<string> layersBottomFirst)
{
    private const string OpaqueXattr = "trusted.overlay.opaque";
    private readonly IReadOnlyList<string> _topFirst = layersBottomFirst.Reverse().ToList();

    /// <summary>Where the merged view's <paramref name="parts"/> is on disk; null when it does not
    /// exist (or a parent is not a directory). No component is followed as a symlink.</summary>
    public string? Locate(IReadOnlyList<string> parts)
    {
        if (parts.Count == 0)
            return _topFirst[0];
        foreach (var layer in DirectoryLayers(parts.Take(parts.Count - 1)))
        {
            var path = Path.Join([layer, .. parts]);
            if (FileNodes.Lstat(path) is null)
                continue;
            return LayerDiff.IsWhiteout(path) ? null : path;
        }
        return null;
    }

    /// <summary>The target of a symlink in the merged view; null for anything else.</summary>
    public string? ReadLink(IReadOnlyList<string> parts) =>
        Locate(parts) is { } path ? new FileInfo(path).LinkTarget : null;

    /// <summary>The merged view at <paramref name="parts"/> and below, as <see cref="TreeArchive.Walk"/> gives a plain tree.</summary>
    public IEnumerable<ArchiveMember> Walk(IReadOnlyList<string> parts, string name)
    {
        if (Locate(parts) is not { } path)
            yield break;
        if (name.Length > 0)
            yield return new ArchiveMember(path, name);
        if (!TreeArchive.IsDirectory(path))
            yield break;
        var children = DirectoryLayers(parts).SelectMany(layer => TreeArchive.Children(Path.Join([layer, .. parts])))
            .Distinct().Order(StringComparer.Ordinal);
        foreach (var child in children)
            foreach (var member in Walk([.. parts, child], TreeArchive.Join(name, child)))
                yield return member;
    }

    // The layers whose directory at this path shows through, highest first.
    private List<string> DirectoryLayers(IEnumerable<string> parts)
    {
        var layers = _topFirst.ToList();
        var prefix = new List<string>();
        foreach (var part in parts)
        {
            prefix.Add(part);
            var next = new List<string>();
            foreach (var layer in layers)
            {
                var path = Path.Join([layer, .. prefix]);
                var stat = FileNodes.Lstat(path);
                if (stat is null)
                    continue;
                // A file, symlink or whiteout here hides whatever the layers below have.
                if (stat.Value.Type != FileNodes.SIfDir)
                    break;
                next.Add(layer);
                if (FileNodes.Lgetxattr(path, OpaqueXattr) == "y")
                    break;
            }
            if (next.Count == 0)
                return next;
            layers = next;
        }
        return layers;
    }
}
