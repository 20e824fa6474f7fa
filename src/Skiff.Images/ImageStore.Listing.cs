using System.Text.Json.Serialization;

namespace Skiff.Images;

/// <summary>One row of <c>skiff images</c>. <paramref name="Digest"/> is what the name points at (the
/// registry's digest for pulled images); <paramref name="Size"/> is the stored size of config and layers.</summary>
public sealed record ImageSummary(string Repository, string Tag, Digest Digest, Digest Id, DateTimeOffset? Created, long Size);

/// <summary><c>image history</c>: newest step first; <paramref name="Size"/> is its layer's stored size, 0
/// for steps that made no layer.</summary>
public sealed record HistoryStep(DateTimeOffset? Created, string CreatedBy, long Size, string Comment, Digest? Layer);

/// <summary><c>image inspect</c>, spelled as Docker's so scripts written for it keep working.</summary>
public sealed record ImageInspection
{
    public required string Id { get; init; }
    public required IReadOnlyList<string> RepoTags { get; init; }
    public required IReadOnlyList<string> RepoDigests { get; init; }
    public DateTimeOffset? Created { get; init; }
    public string? Author { get; init; }
    public required string Architecture { get; init; }
    public string? Variant { get; init; }
    public required string Os { get; init; }
    public OciContainerConfig? Config { get; init; }
    public required long Size { get; init; }
    public required InspectionRootFs RootFS { get; init; }
    public required string ManifestDigest { get; init; }
}

public sealed record InspectionRootFs(string Type, IReadOnlyList<Digest> Layers);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(IReadOnlyList<ImageInspection>))]
public sealed partial class ImageInspectionJsonContext : JsonSerializerContext;

public sealed partial class ImageStore
{
    public IReadOnlyList<ImageSummary> List()
    {
        var rows = new List<ImageSummary>();
        foreach (var (key, digest) in References().OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var (_, manifest) = PlatformManifest(digest);
            var config = ReadConfig(manifest.Config.Digest);
            var (repository, tag) = SplitKey(key);
            var size = manifest.Config.Size + manifest.Layers.Sum(l => l.Size);
            rows.Add(new ImageSummary(repository, tag, digest, manifest.Config.Digest, config.Created, size));
        }
        return rows;
    }

    public ImageInspection Inspect(string reference)
    {
        var found = Require(reference);
        var (manifestDigest, manifest) = PlatformManifest(found.Digest);
        var config = ReadConfig(manifest.Config.Digest);
        var names = References().Where(r => PlatformManifest(r.Value).Digest == manifestDigest).ToList();
        return new ImageInspection
        {
            Id = manifest.Config.Digest.ToString(),
            RepoTags = names.Where(n => !n.Key.Contains('@')).Select(n => n.Key).ToList(),
            RepoDigests = names.Select(n => $"{SplitKey(n.Key).Repository}@{n.Value}").Distinct().ToList(),
            Created = config.Created,
            Author = config.Author,
            Architecture = config.Architecture,
            Variant = config.Variant,
            Os = config.Os,
            Config = config.Config,
            Size = manifest.Config.Size + manifest.Layers.Sum(l => l.Size),
            RootFS = new InspectionRootFs(config.RootFs.Type, config.RootFs.DiffIds),
            ManifestDigest = manifestDigest.ToString(),
        };
    }

    public IReadOnlyList<HistoryStep> History(string reference)
    {
        var found = Require(reference);
        var (_, manifest) = PlatformManifest(found.Digest);
        var config = ReadConfig(manifest.Config.Digest);
        // History entries without empty_layer made the layers, in order; images without history (some
        // imports) get one step per layer.
        var history = config.History ?? manifest.Layers.Select(_ => new OciHistory()).ToList();
        var steps = new List<HistoryStep>();
        var layer = 0;
        foreach (var h in history)
        {
            var made = h.EmptyLayer != true && layer < manifest.Layers.Count ? manifest.Layers[layer++] : null;
            steps.Add(new HistoryStep(h.Created, h.CreatedBy ?? "", made?.Size ?? 0, h.Comment ?? "", made?.Digest));
        }
        steps.Reverse();
        return steps;
    }

    /// <summary>"name:tag" → ("name", "tag"); "name@sha256:…" → ("name", "&lt;none&gt;").</summary>
    public static (string Repository, string Tag) SplitKey(string key)
    {
        var at = key.IndexOf('@');
        if (at >= 0)
            return (key[..at], "<none>");
        var colon = key.LastIndexOf(':');
        return colon > key.LastIndexOf('/') ? (key[..colon], key[(colon + 1)..]) : (key, "<none>");
    }
}
