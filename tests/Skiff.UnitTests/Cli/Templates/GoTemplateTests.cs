using System.Text.Json.Nodes;
using Skiff.Cli.Templates;

namespace Skiff.UnitTests.Cli.Templates;

/// <summary>Go's text/template as Docker's --format uses it; expected outputs are what docker 28 prints.</summary>
public sealed class GoTemplateTests
{
    private static readonly JsonNode Container = JsonNode.Parse("""
        {
          "Id": "0123456789ab",
          "Name": "/web",
          "Args": ["-c", "sleep 1000"],
          "State": { "Status": "running", "Running": true, "Pid": 4242, "ExitCode": 0, "Health": null },
          "Config": { "Labels": { "b": "2", "a": "1" }, "Env": ["A=1", "B=2"], "Cmd": null, "Tty": false },
          "NetworkSettings": { "Networks": { "bridge": { "IPAddress": "172.17.0.2" } } },
          "Ratio": 0.5,
          "Mounts": []
        }
        """)!;

    private static string Render(string template, JsonNode? data = null, string? typeName = null) =>
        GoTemplate.Parse(template).Render(data ?? Container, typeName);

    [Theory]
    [InlineData("{{.Name}}", "/web")]
    [InlineData("{{.State.Status}} {{.State.Pid}}", "running 4242")]
    [InlineData("id={{.Id}}!", "id=0123456789ab!")]
    [InlineData("{{.State.Running}}", "true")]
    [InlineData("{{.Ratio}}", "0.5")]
    [InlineData("{{.Args}}", "[-c sleep 1000]")]
    [InlineData("{{.Config.Labels}}", "map[a:1 b:2]")]
    [InlineData("{{.State.Health}}", "<nil>")]
    [InlineData("{{(index .NetworkSettings.Networks \"bridge\").IPAddress}}", "172.17.0.2")]
    [InlineData("{{ .Name }}", "/web")]
    public void Fields_print_as_go_prints_them(string template, string expected)
    {
        Assert.Equal(expected, Render(template));
    }

    [Theory]
    [InlineData("{{json .Config.Labels}}", """{"b":"2","a":"1"}""")]
    [InlineData("{{json .Args}}", """["-c","sleep 1000"]""")]
    [InlineData("{{json .Name}}", "\"/web\"")]
    [InlineData("{{json \"<a&b>\"}}", "\"<a&b>\"")]
    [InlineData("{{json .State.Health}}", "null")]
    [InlineData("{{json (split \"a,b\" \",\")}}", """["a","b"]""")]
    public void Json_is_compact_and_not_html_escaped(string template, string expected)
    {
        Assert.Equal(expected, Render(template));
    }

    [Theory]
    [InlineData("{{upper .State.Status}}", "RUNNING")]
    [InlineData("{{.State.Status | upper}}", "RUNNING")]
    [InlineData("{{lower \"ABC\"}}", "abc")]
    [InlineData("{{title \"hello world\"}}", "Hello World")]
    [InlineData("{{join .Args \",\"}}", "-c,sleep 1000")]
    [InlineData("{{split \"a,b\" \",\"}}", "[a b]")]
    [InlineData("{{index .Args 1}}", "sleep 1000")]
    [InlineData("{{index .Config.Labels \"a\"}}", "1")]
    [InlineData("{{index \"abc\" 1}}", "98")]
    [InlineData("{{len .Args}} {{len .Config.Labels}} {{len .Name}} {{len .Mounts}}", "2 2 4 0")]
    [InlineData("{{println 1 2}}|", "1 2\n|")]
    [InlineData("{{print 1 2 \"a\" \"b\" 3}}", "1 2ab3")]
    [InlineData("{{printf \"%s-%d\" .State.Status .State.Pid}}", "running-4242")]
    [InlineData("{{.State.Status | printf \"%s-%d\" 3}}", "%!s(int=3)-%!d(string=running)")]
    [InlineData("{{printf \"%-8s|%5d|%.2f|%q|%v\" \"ab\" 42 1.5 \"x\" .Args}}", "ab      |   42|1.50|\"x\"|[-c sleep 1000]")]
    [InlineData("{{slice \"28.2.2\" 1 3}}", "8.")]
    [InlineData("{{pad \"a\" 1 2}}|", " a  |")]
    [InlineData("{{truncate \"abcdef\" 3}}", "abc")]
    [InlineData("{{eq 1 2}} {{eq \"a\" \"b\" \"a\"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1 2}}", "false true true true true true false")]
    [InlineData("{{and 1 0}} {{or 0 \"\" 3}} {{not .State.Running}}", "0 3 false")]
    [InlineData("{{1.5}} {{-3}} {{0x10}} {{'a'}} {{true}}", "1.5 -3 16 97 true")]
    [InlineData("{{.Name | len | printf \"%d chars\"}}", "4 chars")]
    public void Functions_and_pipelines_behave_as_in_docker(string template, string expected)
    {
        Assert.Equal(expected, Render(template));
    }

    [Theory]
    [InlineData("{{if .State.Running}}up{{else}}down{{end}}", "up")]
    [InlineData("{{if .Config.Cmd}}cmd{{else if .Args}}args{{else}}none{{end}}", "args")]
    [InlineData("{{if not .Mounts}}no mounts{{end}}", "no mounts")]
    [InlineData("{{if and .State.Running (eq .State.Pid 4242)}}yes{{end}}", "yes")]
    [InlineData("{{with .State}}{{.Status}}{{end}}", "running")]
    [InlineData("{{with .State.Health}}{{.Status}}{{else}}no health{{end}}", "no health")]
    [InlineData("{{range .Args}}[{{.}}]{{end}}", "[-c][sleep 1000]")]
    [InlineData("{{range $i, $e := .Args}}{{$i}}={{$e}} {{end}}", "0=-c 1=sleep 1000 ")]
    [InlineData("{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}};{{end}}", "a:1;b:2;")]
    [InlineData("{{range .Mounts}}x{{else}}empty{{end}}", "empty")]
    [InlineData("{{range .Config.Cmd}}x{{end}}", "")]
    [InlineData("{{range .Args}}{{if eq . \"-c\"}}{{continue}}{{end}}{{.}}{{break}}{{end}}", "sleep 1000")]
    [InlineData("{{$n := .Name}}{{with .State}}{{$n}} is {{.Status}}{{end}}", "/web is running")]
    [InlineData("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2")]
    [InlineData("{{range .Args}}{{$.Name}}{{end}}", "/web/web")]
    [InlineData("{{range $name, $net := .NetworkSettings.Networks}}{{$name}} {{$net.IPAddress}}{{end}}", "bridge 172.17.0.2")]
    public void Conditionals_ranges_and_variables(string template, string expected)
    {
        Assert.Equal(expected, Render(template));
    }

    [Theory]
    [InlineData("a  {{- .Name -}}  b", "a/webb")]
    [InlineData("a\n{{- /* a comment */ -}}\nb", "ab")]
    [InlineData("{{/* only a comment */}}x", "x")]
    [InlineData("{{-3}}", "-3")]
    public void Trim_markers_and_comments(string template, string expected)
    {
        Assert.Equal(expected, Render(template));
    }

    [Theory]
    [InlineData("{{.Foo", "template: :1: unclosed action")]
    [InlineData("{{foo .}}", "template: :1: function \"foo\" not defined")]
    [InlineData("{{if}}", "template: :1: missing value for if")]
    [InlineData("{{end}}", "template: :1: unexpected {{end}}")]
    [InlineData("{{$x := 1}}{{$y}}", "template: :1: undefined variable \"$y\"")]
    [InlineData("{{if .A}}x", "template: :1: unexpected EOF")]
    [InlineData("{{}}", "template: :1: missing value for command")]
    [InlineData("x\n{{.A \"b}}", "template: :2: unterminated quoted string")]
    [InlineData("{{break}}", "template: :1: {{break}} outside {{range}}")]
    public void Parse_errors_are_worded_as_go_words_them(string template, string expected)
    {
        var e = Assert.Throws<TemplateParseException>(() => GoTemplate.Parse(template));
        Assert.Equal(expected, e.Message);
    }

    [Theory]
    [InlineData("{{.Nonexistent}}", "template: :1:2: executing \"\" at <.Nonexistent>: map has no entry for key \"Nonexistent\"")]
    [InlineData("x {{.State.Nope}}", "template: :1:4: executing \"\" at <.State.Nope>: map has no entry for key \"Nope\"")]
    [InlineData("{{.State.Health.Status}}", "template: :1:2: executing \"\" at <.State.Health.Status>: nil pointer evaluating interface {}.Status")]
    [InlineData("{{.Name.First}}", "template: :1:2: executing \"\" at <.Name.First>: can't evaluate field First in type string")]
    [InlineData("{{join .Args}}", "template: :1:2: executing \"\" at <join>: wrong number of args for join: want 2 got 1")]
    [InlineData("{{upper .State.Pid}}", "template: :1:2: executing \"\" at <upper>: wrong type for value; expected string; got int")]
    [InlineData("{{index .Args 5}}", "template: :1:2: executing \"\" at <index>: error calling index: index out of range: 5")]
    [InlineData("{{.Name 1}}", "template: :1:2: executing \"\" at <.Name>: can't give argument to non-function .Name")]
    [InlineData("{{eq .Name 1}}", "template: :1:2: executing \"\" at <eq>: incompatible types for comparison")]
    public void Execution_errors_name_the_place_and_the_node(string template, string expected)
    {
        var e = Assert.Throws<TemplateExecutionException>(() => Render(template));
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void A_missing_field_of_a_typed_context_is_named_in_its_type_as_docker_ps_does()
    {
        var row = JsonNode.Parse("""{"ID":"abc","Names":"web"}""");
        var e = Assert.Throws<TemplateExecutionException>(() => Render("{{.Nonexistent}}", row, "*formatter.ContainerContext"));
        Assert.Equal("template: :1:2: executing \"\" at <.Nonexistent>: can't evaluate field Nonexistent in type *formatter.ContainerContext", e.Message);
        Assert.Equal("web", Render("{{.Names}}", row, "*formatter.ContainerContext"));
    }

    [Fact]
    public void A_named_template_carries_its_name_in_messages()
    {
        var e = Assert.Throws<TemplateParseException>(() => GoTemplate.Parse("{{.Foo", "version"));
        Assert.Equal("template: version:1: unclosed action", e.Message);
    }

    [Fact]
    public void Lines_and_columns_count_from_the_line_the_node_is_on()
    {
        var e = Assert.Throws<TemplateExecutionException>(() => Render("a\nbc {{.Nope}}"));
        Assert.StartsWith("template: :2:5: ", e.Message);
    }
}
