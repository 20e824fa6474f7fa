using System.Text.Json.Nodes;
using Skiff.Cli.Formatting;

namespace Skiff.UnitTests.Cli.Formatting;

public sealed class ListFormatTests
{
    private static readonly Column[] Columns = [new("ID", "CONTAINER ID"), new("Names", "NAMES"), new("Status", "STATUS")];
    private const string Default = "table {{.ID}}\\t{{.Names}}\\t{{.Status}}";
    private const string TypeName = "*formatter.ContainerContext";

    private static string Print(string? format, params (string Id, string Name, string Status)[] rows)
    {
        var list = new ListFormat(format, Default, Columns, TypeName, "failed to parse template", "failed to execute template");
        var output = new StringWriter();
        list.Print(output, rows.Select(r => list.Row(f => f switch { "ID" => r.Id, "Names" => r.Name, _ => r.Status })));
        return output.ToString();
    }

    [Fact]
    public void A_column_is_as_wide_as_its_widest_cell_plus_three_and_at_least_ten()
    {
        Assert.Equal(
            "CONTAINER ID   NAMES         STATUS\n" +
            "abc            web           Up\n" +
            "def            a-long-name   Exited\n",
            Print("table", ("abc", "web", "Up"), ("def", "a-long-name", "Exited")));
    }

    [Fact]
    public void Json_prints_one_object_per_row_with_dockers_sorted_fields()
    {
        Assert.Equal("{\"ID\":\"abc\",\"Names\":\"web\",\"Status\":\"Up\"}\n", Print("json", ("abc", "web", "Up")));
        Assert.Equal("{\"ID\":\"abc\",\"Names\":\"web\",\"Status\":\"Up\"}\n", Print("{{json .}}", ("abc", "web", "Up")));
    }

    [Fact]
    public void A_template_runs_once_per_row_with_escapes_for_tab_and_newline()
    {
        Assert.Equal("abc\tWEB\nx\ndef\tDB\nx\n", Print("{{.ID}}\\t{{upper .Names}}\\nx", ("abc", "web", "Up"), ("def", "db", "Up")));
    }

    [Fact]
    public void A_table_of_ones_own_gets_headers_from_the_same_template()
    {
        Assert.Equal("NAMES     STATUS\nweb       Up\n", Print("table {{.Names}}\\t{{.Status}}", ("abc", "web", "Up")));
    }

    [Fact]
    public void A_field_that_does_not_exist_fails_even_with_no_rows()
    {
        var e = Assert.Throws<OutputFormatException>(() => Print("{{.Nonexistent}}"));
        Assert.Equal("failed to execute template: template: :1:2: executing \"\" at <.Nonexistent>: can't evaluate field Nonexistent in type *formatter.ContainerContext", e.Message);
    }

    [Fact]
    public void A_template_that_does_not_parse_is_refused_with_gos_words()
    {
        var e = Assert.Throws<OutputFormatException>(() => Print("{{.ID"));
        Assert.Equal("failed to parse template: template: :1: unclosed action", e.Message);
    }
}
