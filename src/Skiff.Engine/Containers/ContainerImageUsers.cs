using Skiff.Images;

namespace Skiff.Engine.Containers;

/// <summary>
/// The image store's question "which images do containers use", answered from the container
/// records. A record keeps its image's config digest; the store counts by manifest, so each is
/// looked up, also for images whose every name is gone (rmi -f) but whose manifest is still stored.
/// </summary>
public sealed class ContainerImageUsers(SkiffPaths paths, ImageStore store) : IImageUsers
{
    public IReadOnlyDictionary<Digest, int> ContainersByManifest()
    {
        List<string> imageIds;
        using (var engine = new ContainerEngine(paths))
            imageIds = engine.List().Select(c => c.ImageId).ToList();
        if (imageIds.Count == 0)
            return new Dictionary<Digest, int>();
        var configs = imageIds.Select(id => Digest.TryParse(id, out var d) ? d : (Digest?)null).OfType<Digest>().ToList();
        var manifests = store.ManifestsByConfig(configs);
        return configs
            .Where(manifests.ContainsKey)
            .Select(c => manifests[c])
            .GroupBy(m => m)
            .ToDictionary(g => g.Key, g => g.Count());
    }
}
