using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Cli.Formatting;

/// <summary>
/// What the inspect verbs print: Docker's JSON array, or with <c>--format TEMPLATE</c> the template
/// run over each object's JSON document (the same document the array holds), one line each.
/// </summary>
public static class InspectOutput
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Print<T>(string? format, IReadOnlyList<T> items, Action<Utf8JsonWriter, T> write)
    {
        if (string.IsNullOrEmpty(format) || format == "json")
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout, Indented))
            {
                w.WriteStartArray();
                foreach (var item in items) write(w, item);
                w.WriteEndArray();
            }
            stdout.Write("\n"u8);
            return;
        }
        var template = TemplateOutput.Parse(format);
        foreach (var item in items) Console.Out.Write(TemplateOutput.Render(template, Document(item, write)) + "\n");
    }

    private static JsonNode? Document<T>(T item, Action<Utf8JsonWriter, T> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) write(w, item);
        return JsonNode.Parse(buffer.ToArray());
    }
}
