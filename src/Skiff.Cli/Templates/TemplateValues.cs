using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Cli.Templates;

/// <summary>
/// The values a template works on: the JSON documents Skiff prints (objects and arrays stay
/// <see cref="JsonNode"/>s), their leaves as string, bool, long or double, null, and the lists
/// functions make (<see cref="List{T}"/>). Printing, truth and comparison follow Go's rules.
/// </summary>
public static class TemplateValues
{
    /// <summary>A JSON leaf as a plain value; objects and arrays as they are.</summary>
    /// (Typed as object throughout: JsonNode's implicit conversions would turn a leaf back into a node.)
    public static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => (object)v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => v.TryGetValue<long>(out var l) ? l : (object)v.GetValue<double>(),
            _ => null,
        },
        _ => (object)node,
    };

    public static IReadOnlyList<object?>? AsList(object? value) => value switch
    {
        JsonArray a => a.Select(FromJson).ToList(),
        List<object?> l => l,
        _ => null,
    };

    /// <summary>Go's truth: false, 0, nil and empty strings, lists and maps are false.</summary>
    public static bool IsTrue(object? value) => value switch
    {
        null => false,
        bool b => b,
        string s => s.Length > 0,
        long l => l != 0,
        double d => d != 0,
        JsonObject o => o.Count > 0,
        JsonArray a => a.Count > 0,
        List<object?> l => l.Count > 0,
        _ => true,
    };

    /// <summary>Go's name for the type, as its errors print it.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "<nil>",
        string => "string",
        bool => "bool",
        long => "int",
        double => "float64",
        JsonObject => "map[string]interface {}",
        List<object?> => "[]string",
        _ => "[]interface {}",
    };

    /// <summary>fmt.Sprint of one value: maps as map[k:v] (sorted keys), lists as [a b].</summary>
    public static string Print(object? value) => value switch
    {
        null => "<nil>",
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => PrintFloat(d),
        JsonObject o => "map[" + string.Join(' ', o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + ":" + Print(FromJson(p.Value)))) + "]",
        _ when AsList(value) is { } list => "[" + string.Join(' ', list.Select(Print)) + "]",
        _ => value.ToString() ?? "",
    };

    /// <summary>Go's %v for a float64: shortest digits, exponent form below 1e-4 and from 1e21.</summary>
    private static string PrintFloat(double d)
    {
        var abs = Math.Abs(d);
        if (d == 0 || (abs >= 1e-4 && abs < 1e21))
            return d.ToString("R", CultureInfo.InvariantCulture) is var r && r.Contains('E') ? ((decimal)d).ToString(CultureInfo.InvariantCulture) : r;
        var text = d.ToString("E16", CultureInfo.InvariantCulture);
        var shortest = d.ToString("R", CultureInfo.InvariantCulture);
        var mantissa = shortest.Contains('E') ? shortest[..shortest.IndexOf('E')] : text[..text.IndexOf('E')].TrimEnd('0').TrimEnd('.');
        var exponent = int.Parse(text[(text.IndexOf('E') + 1)..], CultureInfo.InvariantCulture);
        return $"{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
    }

    /// <summary>Docker's <c>json</c> function: compact JSON, no HTML escaping.</summary>
    public static string ToJson(object? value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(writer, value);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case long l: writer.WriteNumberValue(l); break;
            case double d: writer.WriteNumberValue(d); break;
            case JsonNode node: node.WriteTo(writer); break;
            case List<object?> list:
                writer.WriteStartArray();
                foreach (var item in list) Write(writer, item);
                writer.WriteEndArray();
                break;
        }
    }

    /// <summary>Go's eq on basic values: numbers by value, strings and bools exactly; other kinds are an error.</summary>
    public static bool AreEqual(object? a, object? b)
    {
        if (a is null || b is null) return a is null && b is null;
        if (IsNumber(a) && IsNumber(b)) return ToDouble(a) == ToDouble(b);
        if (a.GetType() != b.GetType()) throw new TemplateCallException("incompatible types for comparison");
        return a switch
        {
            string s => s == (string)b,
            bool x => x == (bool)b,
            _ => throw new TemplateCallException("invalid type for comparison"),
        };
    }

    /// <summary>Go's lt: numbers by value, strings by bytes.</summary>
    public static int Compare(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b)) return ToDouble(a!).CompareTo(ToDouble(b!));
        if (a is string x && b is string y) return string.CompareOrdinal(x, y);
        if (a is not (string or long or double) || b is not (string or long or double)) throw new TemplateCallException("invalid type for comparison");
        throw new TemplateCallException("incompatible types for comparison");
    }

    public static bool IsNumber(object? value) => value is long or double;

    public static double ToDouble(object value) => value is long l ? l : (double)value;
}

/// <summary>A function's failure; the executor adds where in the template it happened.</summary>
public sealed class TemplateCallException(string message) : Exception(message);
