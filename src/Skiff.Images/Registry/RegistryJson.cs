using System.Text.Json.Serialization;

namespace Skiff.Images.Registry;

/// <summary>A token endpoint's answer; registries spell the field either way.</summary>
public sealed record TokenResponse
{
    [JsonPropertyName("token")] public string? Token { get; init; }
    [JsonPropertyName("access_token")] public string? AccessToken { get; init; }
}

/// <summary>The distribution spec's error body.</summary>
public sealed record RegistryErrorBody
{
    [JsonPropertyName("errors")] public IReadOnlyList<RegistryError>? Errors { get; init; }
}

public sealed record RegistryError
{
    [JsonPropertyName("code")] public string? Code { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
}

/// <summary>The credentials file, in the shape of Docker's config.json so either tool can read it.</summary>
public sealed record CredentialFile
{
    [JsonPropertyName("auths")] public Dictionary<string, CredentialEntry> Auths { get; init; } = new(StringComparer.Ordinal);
}

public sealed record CredentialEntry
{
    /// <summary>base64("user:password").</summary>
    [JsonPropertyName("auth")] public required string Auth { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(RegistryErrorBody))]
[JsonSerializable(typeof(CredentialFile))]
public sealed partial class RegistryJsonContext : JsonSerializerContext;
