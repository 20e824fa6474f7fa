using System.Text.Json;

namespace Skiff.Images;

/// <summary>What a removal or prune did, in the order Docker prints it.</summary>
public sealed record RemovalReport(IReadOnlyList<string> Untagged, IReadOnlyList<Digest> DeletedImages, long ReclaimedBytes);

/// <summary>Sizes for <c>system df</c>: images in total, those a container uses, and what
/// <c>image prune -a</c> would give back.</summary>
public sealed record ImageDiskUsage(int Images, int ActiveImages, long Bytes, long ReclaimableBytes);

// Removal is mark and sweep: names and the images containers use are the roots, every blob and
// snapshot they reach is kept, the rest goes. Reference counts are therefore never stored, so they
// can never drift from the truth after a crash.
public sealed partial class ImageStore
{
    /// <summary><c>skiff rmi</c>: removes a name, or by id every name of that image, then whatever
    /// no name or container still needs, snapshots included.</summary>
    /// <exception cref="ImageInUseException">A container uses the image and <paramref name="force"/> is false.</exception>
    public RemovalReport Remove(string reference, bool force, IImageUsers users)
    {
        var found = Find(reference) ?? throw new ImageNotFoundException(reference);
        var table = _references.Read().References;
        var image = PlatformManifest(found.Digest);
        var byName = ImageReference.TryParse(reference, out var parsed) && found.Key == KeyOf(parsed);
        var keys = byName
            ? [found.Key!]
            : table.Where(r => PlatformManifest(r.Value).Digest == image.Digest).Select(r => r.Key).ToList();
        if (!force)
        {
            if (!byName && keys.Count > 1)
                throw new ImageInUseException(
                    $"image {image.Manifest.Config.Digest.Hex[..12]} is referenced by {string.Join(", ", keys)}: remove them by name, or use -f");
            var remainingNames = table.Count(r => PlatformManifest(r.Value).Digest == image.Digest) - keys.Count;
            if (remainingNames == 0 && users.ContainersByManifest().TryGetValue(image.Digest, out var containers) && containers > 0)
                throw new ImageInUseException(
                    $"image '{reference}' is used by {containers} container(s): remove them first, or use -f to untag it anyway");
        }
        var untagged = Untag(keys);
        var collected = Collect(users);
        return new RemovalReport(untagged, collected.DeletedImages, collected.ReclaimedBytes);
    }

    /// <summary><c>image prune</c>: without <paramref name="all"/> only what no name reaches (dangling
    /// images); with it, also every named image no container uses.</summary>
    public RemovalReport Prune(bool all, IImageUsers users)
    {
        var untagged = new List<string>();
        if (all)
        {
            var inUse = users.ContainersByManifest();
            var unused = References().Where(r => !inUse.ContainsKey(PlatformManifest(r.Value).Digest)).Select(r => r.Key).ToList();
            untagged.AddRange(Untag(unused));
        }
        var collected = Collect(users);
        return new RemovalReport(untagged, collected.DeletedImages, collected.ReclaimedBytes);
    }

    public ImageDiskUsage DiskUsage(IImageUsers users)
    {
        var inUse = users.ContainersByManifest();
        var images = References().Values.Select(d => PlatformManifest(d).Digest).Concat(inUse.Keys).Distinct().ToList();
        var everything = Mark(References().Values.Concat(inUse.Keys));
        var needed = Mark(inUse.Keys);
        long SizeOf(Reachable r) =>
            r.Blobs.Sum(Content.SizeOf) + r.Snapshots.Where(Snapshots.Exists).Sum(s => DirectorySize(Snapshots.PathOf(s)));
        var total = SizeOf(everything);
        return new ImageDiskUsage(images.Count, images.Count(inUse.ContainsKey), total, total - SizeOf(needed));
    }

    /// <summary>Deletes every blob and snapshot that no name and no container reaches, and what killed
    /// writers left. Holds the collection lock exclusively, so no pull or load is halfway through.</summary>
    public RemovalReport Collect(IImageUsers users)
    {
        using var exclusive = CollectionLock.Exclusive(Root);
        SweepInterrupted();
        var keep = Mark(References().Values.Concat(users.ContainersByManifest().Keys).Concat(BuildCache.Manifests()));
        var deletedImages = new List<Digest>();
        long reclaimed = 0;
        foreach (var blob in Content.List().Where(b => !keep.Blobs.Contains(b)))
        {
            if (TryReadManifest(blob) is { } manifest)
                deletedImages.Add(manifest.Config.Digest);
            reclaimed += Content.SizeOf(blob);
            File.Delete(Content.Path(blob));
        }
        foreach (var snapshot in Snapshots.List().Where(s => !keep.Snapshots.Contains(s)))
        {
            reclaimed += DirectorySize(Snapshots.PathOf(snapshot));
            Snapshots.Remove(snapshot);
        }
        return new RemovalReport([], deletedImages, reclaimed);
    }

    /// <summary>Removes the blobs and snapshots a failed load or import added, except those a name
    /// reaches meanwhile (the same image loaded by another process that finished first).</summary>
    internal void DiscardUnreachable(IReadOnlyCollection<Digest> blobs, IReadOnlyCollection<Digest> snapshots)
    {
        if (blobs.Count == 0 && snapshots.Count == 0)
            return;
        var keep = Mark(References().Values);
        foreach (var blob in blobs.Where(b => !keep.Blobs.Contains(b)))
            File.Delete(Content.Path(blob));
        foreach (var snapshot in snapshots.Where(s => !keep.Snapshots.Contains(s)))
            Snapshots.Remove(snapshot);
    }

    private sealed record Reachable(HashSet<Digest> Blobs, HashSet<Digest> Snapshots);

    private Reachable Mark(IEnumerable<Digest> roots)
    {
        var reachable = new Reachable([], []);
        var pending = new Stack<Digest>(roots);
        while (pending.TryPop(out var digest))
        {
            if (!Content.Exists(digest) || !reachable.Blobs.Add(digest))
                continue;
            var bytes = Content.ReadBytes(digest);
            if (IsIndex(JsonSerializer.Deserialize(bytes, OciJsonContext.Default.ManifestProbe)))
            {
                var index = JsonSerializer.Deserialize(bytes, OciJsonContext.Default.OciImageIndex);
                foreach (var child in index?.Manifests ?? [])
                    pending.Push(child.Digest);
                continue;
            }
            var manifest = ParseManifest(bytes, digest);
            reachable.Blobs.Add(manifest.Config.Digest);
            foreach (var layer in manifest.Layers)
                reachable.Blobs.Add(layer.Digest);
            if (Content.Exists(manifest.Config.Digest))
                reachable.Snapshots.UnionWith(ReadConfig(manifest.Config.Digest).RootFs.DiffIds);
        }
        return reachable;
    }

    // Only called on blobs nothing references, which are mostly layers: a cheap look at the first
    // byte keeps the sweep from parsing gigabytes as JSON.
    private OciImageManifest? TryReadManifest(Digest blob)
    {
        using (var stream = Content.Open(blob))
            if (stream.ReadByte() != '{' || stream.Length > 4 << 20)
                return null;
        try
        {
            var bytes = Content.ReadBytes(blob);
            var probe = JsonSerializer.Deserialize(bytes, OciJsonContext.Default.ManifestProbe);
            return probe?.Layers is not null ? ParseManifest(bytes, blob) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Symlinks are skipped, not followed: a layer's /var/run -> /run would otherwise walk the host's /run.
    internal static long DirectorySize(string path) =>
        new DirectoryInfo(path).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Sum(f => f.Length);
}

public sealed class ImageInUseException(string message) : ImageException(message);
