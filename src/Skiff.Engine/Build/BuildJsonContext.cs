using System.Text.Json.Serialization;

namespace Skiff.Engine.Build;

[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(string))]
internal sealed partial class BuildJsonContext : JsonSerializerContext;
