using System.Text;
using System.Text.Json.Nodes;
using Skiff.Cli.Templates;

namespace Skiff.Cli.Formatting;

/// <summary>A field of a list's rows and its column header, as Docker names both.</summary>
public sealed record Column(string Field, string Header);

/// <summary>
/// Docker's <c>--format</c> for lists (ps, images, network ls, ...): empty or <c>table</c> for the
/// default table, <c>table TEMPLATE</c> for a table of one's own (the header is the template run
/// over the column names), <c>json</c> for one JSON object per line, or any template run once per
/// row. <c>\t</c> and <c>\n</c> typed in the format are a tab and a newline.
/// </summary>
public sealed class ListFormat
{
    private readonly GoTemplate _template;
    private readonly bool _table;
    private readonly IReadOnlyList<Column> _columns;
    private readonly string _typeName;
    private readonly string _executeErrorPrefix;

    /// <summary>Docker's --format flag of the list verbs.</summary>
    public static System.CommandLine.Option<string?> FormatOption() =>
        new("--format") { Description = "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or a Go template" };

    /// <param name="typeName">the Go type Docker runs the template on, named in its "can't evaluate field" errors.</param>
    /// <param name="parseErrorPrefix">how this verb of the docker client introduces a bad template.</param>
    public ListFormat(string? format, string defaultTable, IReadOnlyList<Column> columns, string typeName,
        string parseErrorPrefix = "template parsing error", string executeErrorPrefix = "template parsing error")
    {
        format = string.IsNullOrEmpty(format) || format == "table" ? defaultTable : format;
        if (format == "json") format = "{{json .}}";
        _table = format.StartsWith("table", StringComparison.Ordinal);
        if (_table) format = format["table".Length..].Trim(' ');
        format = format.Replace("\\t", "\t").Replace("\\n", "\n");
        _columns = columns;
        _typeName = typeName;
        _executeErrorPrefix = executeErrorPrefix;
        try
        {
            _template = GoTemplate.Parse(format);
        }
        catch (TemplateParseException e)
        {
            throw new OutputFormatException($"{parseErrorPrefix}: {e.Message}");
        }
        // Run once on a row of empty fields, so that a bad field is reported even for an empty list, as Docker does.
        Render(Row(_ => ""));
    }

    /// <summary>A row object with every column's field, in Docker's JSON order (sorted by name).</summary>
    public JsonObject Row(Func<string, JsonNode?> value)
    {
        var row = new JsonObject();
        foreach (var column in _columns.OrderBy(c => c.Field, StringComparer.Ordinal)) row[column.Field] = value(column.Field);
        return row;
    }

    public void Print(TextWriter output, IEnumerable<JsonObject> rows)
    {
        var text = new StringBuilder();
        if (_table) text.Append(Render(Row(field => _columns.First(c => c.Field == field).Header))).Append('\n');
        foreach (var row in rows) text.Append(Render(row)).Append('\n');
        if (_table) TabWriter.Write(output, text.ToString());
        else output.Write(text.ToString());
    }

    private string Render(JsonObject row)
    {
        try
        {
            return _template.Render(row, _typeName);
        }
        catch (TemplateExecutionException e)
        {
            throw new OutputFormatException($"{_executeErrorPrefix}: {e.Message}");
        }
    }
}
