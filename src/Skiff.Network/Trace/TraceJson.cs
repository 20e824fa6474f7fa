using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skiff.Network.Trace;

/// <summary>The --json form, source-generated so the CLI does no reflection.</summary>
[JsonSerializable(typeof(TraceResult))]
public sealed partial class TraceJsonContext : JsonSerializerContext
{
    // Rule text is full of quotes and "->": keep it readable instead of escaping it for HTML.
    private static readonly TraceJsonContext Readable = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });

    public static string Serialize(TraceResult result) => JsonSerializer.Serialize(result, Readable.TraceResult);
}
