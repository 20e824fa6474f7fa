using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Skiff.Images;

namespace Skiff.Engine.Build;

/// <summary>
/// Where a stage stands after a step: the image config (with its history) and layers so far, and
/// the step's cache key, which chains BuildKit's way: the parent's key, the instruction with its
/// resolved arguments, and the digest of the content it copies.
/// </summary>
public sealed record ImageState(OciImageConfig Image, IReadOnlyList<OciDescriptor> Layers, Digest CacheKey)
{
    public static ImageState Scratch() => new(
        new OciImageConfig
        {
            Architecture = HostPlatform.Current.Architecture,
            Variant = HostPlatform.Current.Variant,
            Os = HostPlatform.Current.Os,
            Config = new OciContainerConfig { Env = [Containers.DockerDefaults.Path] },
            RootFs = new OciRootFs { DiffIds = [] },
            History = [],
        },
        [],
        Key("scratch"));

    public static Digest Key(string text) => Digest.FromSha256(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public Digest NextKey(string instruction, Digest? content = null) => Key($"{CacheKey}\n{instruction}\n{content}");

    /// <summary>The time of the newest history entry: a step that makes no layer reuses it, so a rebuild
    /// whose every step is cached gives the same image id.</summary>
    public DateTimeOffset? LastCreated => Image.History is { Count: > 0 } h ? h[^1].Created : Image.Created;

    /// <summary>A config change (ENV, LABEL, CMD …), recorded in the history without a layer.</summary>
    public ImageState WithConfig(OciImageConfig image, string createdBy, Digest key) => new(
        image with
        {
            Created = LastCreated,
            History = [.. image.History ?? [], new OciHistory { Created = LastCreated, CreatedBy = createdBy, Comment = "buildkit.dockerfile.v0", EmptyLayer = true }],
        },
        Layers,
        key);

    /// <summary>One more layer, stored uncompressed (its digest is its diff id), made now.</summary>
    public ImageState WithLayer(Digest layer, long size, string createdBy, Digest key)
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        return new ImageState(
            Image with
            {
                Created = now,
                RootFs = Image.RootFs with { DiffIds = [.. Image.RootFs.DiffIds, layer] },
                History = [.. Image.History ?? [], new OciHistory { Created = now, CreatedBy = createdBy, Comment = "buildkit.dockerfile.v0" }],
            },
            [.. Layers, new OciDescriptor { MediaType = OciMediaTypes.Layer, Digest = layer, Size = size }],
            key);
    }

    /// <summary>Writes the config and manifest blobs (not a name); the manifest's digest.</summary>
    public Digest Write(ContentStore content)
    {
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(Image, OciJsonContext.Default.OciImageConfig);
        var manifest = ManifestFor(content.WriteBytes(configBytes), configBytes.Length);
        return content.WriteBytes(JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Default.OciImageManifest));
    }

    public OciImageManifest ManifestFor(Digest config, long configSize) => new()
    {
        Config = new OciDescriptor { MediaType = OciMediaTypes.ImageConfig, Digest = config, Size = configSize },
        Layers = Layers,
    };

    /// <summary>A stage's state as a cache entry's manifest recorded it.</summary>
    public static ImageState Load(ImageStore store, Digest manifestDigest, Digest key)
    {
        var manifest = store.ReadManifest(manifestDigest);
        return new ImageState(store.ReadConfig(manifest.Config.Digest), manifest.Layers, key);
    }

    /// <summary>How a container (a RUN step's) names this state's image: by its manifest digest.</summary>
    public static string Reference(Digest manifest) => $"skiff-build@{manifest}";
}
