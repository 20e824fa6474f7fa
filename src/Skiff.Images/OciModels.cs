using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skiff.Images;

// The OCI image-spec documents Skiff stores and exchanges. Property names are spelled exactly as the
// spec spells them (camelCase in manifests, Docker's PascalCase inside the config's "config", snake
// case in rootfs and history), so blobs from registries and docker-archives read without translation.
// Declaration order is serialization order: the built-in image's digests depend on it.

public static class OciMediaTypes
{
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageConfig = "application/vnd.oci.image.config.v1+json";
    public const string Layer = "application/vnd.oci.image.layer.v1.tar";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string LayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string DockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";

    public static bool IsIndex(string? mediaType) => mediaType is ImageIndex or DockerManifestList;

    public static bool IsManifest(string? mediaType) => mediaType is ImageManifest or DockerManifest;

    /// <summary>What a registry is told Skiff understands, in the Accept header of a manifest request.</summary>
    public static readonly string[] ManifestTypes = [ImageIndex, DockerManifestList, ImageManifest, DockerManifest];
}

public sealed record OciDescriptor
{
    [JsonPropertyName("mediaType")] public required string MediaType { get; init; }
    [JsonPropertyName("digest")] public required Digest Digest { get; init; }
    [JsonPropertyName("size")] public required long Size { get; init; }
    [JsonPropertyName("urls")] public IReadOnlyList<string>? Urls { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    /// <summary>Set on the entries of an image index only.</summary>
    [JsonPropertyName("platform")] public OciPlatform? Platform { get; init; }
}

public sealed record OciPlatform
{
    [JsonPropertyName("architecture")] public required string Architecture { get; init; }
    [JsonPropertyName("os")] public required string Os { get; init; }
    [JsonPropertyName("variant")] public string? Variant { get; init; }
}

/// <summary>An OCI image index or a Docker manifest list: one manifest per platform. Also the shape of
/// an OCI layout's <c>index.json</c>.</summary>
public sealed record OciImageIndex
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; init; } = 2;
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }
    [JsonPropertyName("manifests")] public required IReadOnlyList<OciDescriptor> Manifests { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}

/// <summary>Just enough of any manifest-like document to tell which kind it is.</summary>
public sealed record ManifestProbe
{
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }
    [JsonPropertyName("manifests")] public JsonElement? Manifests { get; init; }
    [JsonPropertyName("layers")] public JsonElement? Layers { get; init; }
}

public sealed record OciImageManifest
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; init; } = 2;
    [JsonPropertyName("mediaType")] public string MediaType { get; init; } = OciMediaTypes.ImageManifest;
    [JsonPropertyName("config")] public required OciDescriptor Config { get; init; }
    /// <summary>The OCI spec lets a manifest leave out its media type (umoci does); it is then an OCI one.</summary>
    [JsonIgnore] public string EffectiveMediaType => string.IsNullOrEmpty(MediaType) ? OciMediaTypes.ImageManifest : MediaType;
    [JsonPropertyName("layers")] public required IReadOnlyList<OciDescriptor> Layers { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}

public sealed record OciImageConfig
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("architecture")] public required string Architecture { get; init; }
    [JsonPropertyName("variant")] public string? Variant { get; init; }
    [JsonPropertyName("os")] public required string Os { get; init; }
    [JsonPropertyName("config")] public OciContainerConfig? Config { get; init; }
    [JsonPropertyName("rootfs")] public required OciRootFs RootFs { get; init; }
    [JsonPropertyName("history")] public IReadOnlyList<OciHistory>? History { get; init; }
}

/// <summary>The defaults a container created from the image starts with.</summary>
public sealed record OciContainerConfig
{
    [JsonPropertyName("User")] public string? User { get; init; }
    /// <summary>Keys are "port/proto"; the spec's values are always empty objects.</summary>
    [JsonPropertyName("ExposedPorts")] public IReadOnlyDictionary<string, EmptyObject>? ExposedPorts { get; init; }
    [JsonPropertyName("Env")] public IReadOnlyList<string>? Env { get; init; }
    [JsonPropertyName("Entrypoint")] public IReadOnlyList<string>? Entrypoint { get; init; }
    [JsonPropertyName("Cmd")] public IReadOnlyList<string>? Cmd { get; init; }
    [JsonPropertyName("Volumes")] public IReadOnlyDictionary<string, EmptyObject>? Volumes { get; init; }
    [JsonPropertyName("WorkingDir")] public string? WorkingDir { get; init; }
    [JsonPropertyName("Labels")] public IReadOnlyDictionary<string, string>? Labels { get; init; }
    [JsonPropertyName("StopSignal")] public string? StopSignal { get; init; }
    [JsonPropertyName("Healthcheck")] public OciHealthcheck? Healthcheck { get; init; }
    /// <summary>Dockerfile ONBUILD triggers, recorded for images built FROM this one.</summary>
    [JsonPropertyName("OnBuild")] public IReadOnlyList<string>? OnBuild { get; init; }
    /// <summary>The Dockerfile SHELL of the stage that built the image.</summary>
    [JsonPropertyName("Shell")] public IReadOnlyList<string>? Shell { get; init; }
}

/// <summary>Docker's HEALTHCHECK in an image config; durations in nanoseconds, 0 for the default.</summary>
public sealed record OciHealthcheck
{
    /// <summary>["NONE"], ["CMD", args...] or ["CMD-SHELL", command].</summary>
    [JsonPropertyName("Test")] public required IReadOnlyList<string> Test { get; init; }
    [JsonPropertyName("Interval")] public long? Interval { get; init; }
    [JsonPropertyName("Timeout")] public long? Timeout { get; init; }
    [JsonPropertyName("StartPeriod")] public long? StartPeriod { get; init; }
    [JsonPropertyName("StartInterval")] public long? StartInterval { get; init; }
    [JsonPropertyName("Retries")] public int? Retries { get; init; }
}

public sealed record OciRootFs
{
    [JsonPropertyName("type")] public string Type { get; init; } = "layers";
    /// <summary>Digests of the uncompressed layer tars, lowest layer first.</summary>
    [JsonPropertyName("diff_ids")] public required IReadOnlyList<Digest> DiffIds { get; init; }
}

public sealed record OciHistory
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; init; }
    [JsonPropertyName("created_by")] public string? CreatedBy { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("comment")] public string? Comment { get; init; }
    [JsonPropertyName("empty_layer")] public bool? EmptyLayer { get; init; }
}

/// <summary>The spec's <c>{}</c> placeholder value in ExposedPorts and Volumes.</summary>
public sealed record EmptyObject;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OciImageManifest))]
[JsonSerializable(typeof(OciImageConfig))]
[JsonSerializable(typeof(ReferenceTable))]
[JsonSerializable(typeof(OciImageIndex))]
[JsonSerializable(typeof(ManifestProbe))]
public sealed partial class OciJsonContext : JsonSerializerContext;
