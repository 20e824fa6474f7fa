using System.Text.Json.Serialization;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Oci;

/// <summary>Every JSON the runtime reads or writes: config.json, its own state, and what runc prints.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(RuntimeSpec))]
[JsonSerializable(typeof(ProcessSpec))]
[JsonSerializable(typeof(LinuxResources))]
[JsonSerializable(typeof(ContainerState))]
[JsonSerializable(typeof(OciStateView))]
[JsonSerializable(typeof(List<OciStateView>))]
[JsonSerializable(typeof(List<int>))]
public sealed partial class OciJson : JsonSerializerContext;

/// <summary>Same types, indented, for what people read (<c>state</c>, <c>spec</c>).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(RuntimeSpec))]
[JsonSerializable(typeof(OciStateView))]
public sealed partial class OciJsonIndented : JsonSerializerContext;
