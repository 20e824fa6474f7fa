namespace Skiff.Images;

public sealed partial class ImageStore
{
    /// <summary>The stored platform manifest of each image id (config digest) asked for. Named images
    /// are found through the reference table; an id no name leads to any more (its names removed
    /// while a container still uses it) is looked for among the stored manifests.</summary>
    public IReadOnlyDictionary<Digest, Digest> ManifestsByConfig(IEnumerable<Digest> configs)
    {
        var wanted = configs.ToHashSet();
        var found = new Dictionary<Digest, Digest>();
        foreach (var digest in References().Values.Distinct())
        {
            var (manifestDigest, manifest) = PlatformManifest(digest);
            if (wanted.Contains(manifest.Config.Digest))
                found.TryAdd(manifest.Config.Digest, manifestDigest);
        }
        if (wanted.All(found.ContainsKey))
            return found;
        foreach (var blob in Content.List())
        {
            if (TryReadManifest(blob) is { } manifest && wanted.Contains(manifest.Config.Digest))
                found.TryAdd(manifest.Config.Digest, blob);
        }
        return found;
    }
}
