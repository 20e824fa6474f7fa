using System.Text.Json.Serialization;

namespace Skiff.Images.Archives;

/// <summary>One entry of a docker-archive's <c>manifest.json</c>. Paths are inside the tar.</summary>
public sealed record DockerArchiveEntry
{
    [JsonPropertyName("Config")] public required string Config { get; init; }
    [JsonPropertyName("RepoTags")] public IReadOnlyList<string>? RepoTags { get; init; }
    [JsonPropertyName("Layers")] public required IReadOnlyList<string> Layers { get; init; }
}

public sealed record OciLayoutMarker
{
    [JsonPropertyName("imageLayoutVersion")] public string ImageLayoutVersion { get; init; } = "1.0.0";
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<DockerArchiveEntry>))]
[JsonSerializable(typeof(OciLayoutMarker))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, string>>))]
public sealed partial class ArchiveJsonContext : JsonSerializerContext;

/// <summary>Annotation keys an OCI layout uses to name its images.</summary>
public static class OciAnnotations
{
    public const string ImageName = "io.containerd.image.name";
    public const string RefName = "org.opencontainers.image.ref.name";
}
