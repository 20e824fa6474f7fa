using System.Text.Json.Serialization;

namespace Skiff.Engine.State;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(RunRequest))]
[JsonSerializable(typeof(MountRequest))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class EngineJson : JsonSerializerContext;

/// <summary>
/// Writing a request on the start path through the generated fast path (straight to the writer)
/// skips building the reflection-like property metadata, which costs hundreds of JIT-compiled
/// generic methods on a cold start; reading needs <see cref="EngineJson"/>'s metadata.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true,
    GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(RunRequest))]
internal sealed partial class EngineJsonWriter : JsonSerializerContext;
