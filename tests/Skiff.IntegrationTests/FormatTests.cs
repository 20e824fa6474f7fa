using System.Text.Json;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>--format as Docker users write it, through the real binary: Go templates over the documents Skiff prints.</summary>
public sealed class FormatTests
{
    [Fact]
    public void Ps_format_json_and_templates_print_the_containers_fields()
    {
        var name = UniqueName();
        var id = RunDetached("--name", name, "busybox", "sleep", "1000");
        try
        {
            var json = RunSkiff("ps", "--filter", $"name={name}", "--format", "json");
            Assert.Equal(0, json.ExitCode);
            var row = JsonDocument.Parse(json.Stdout).RootElement;
            Assert.Equal(name, row.GetProperty("Names").GetString());
            Assert.Equal(id[..12], row.GetProperty("ID").GetString());
            Assert.Equal("running", row.GetProperty("State").GetString());
            var template = JsonDocument.Parse(RunSkiff("ps", "--filter", $"name={name}", "--format", "{{json .}}").Stdout).RootElement;
            Assert.Equal(row.EnumerateObject().Select(f => f.Name), template.EnumerateObject().Select(f => f.Name));
            Assert.Equal(name, template.GetProperty("Names").GetString());

            Assert.Equal($"{name.ToUpperInvariant()} running\n", RunSkiff("ps", "--filter", $"name={name}", "--format", "{{upper .Names}} {{.State}}").Stdout);
            var table = RunSkiff("ps", "--filter", $"name={name}", "--format", "table {{.Names}}\\t{{.State}}").Stdout;
            Assert.Equal($"NAMES{new string(' ', Math.Max(10, name.Length + 3) - 5)}STATE\n{name}   running\n", table);
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
    }

    [Fact]
    public void Ps_format_with_a_field_that_does_not_exist_fails_as_docker_does()
    {
        var r = RunSkiff("ps", "--format", "{{.Nonexistent}}");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("failed to execute template: template: :1:2: executing \"\" at <.Nonexistent>: can't evaluate field Nonexistent in type *formatter.ContainerContext\n", r.Stderr);
        Assert.Equal("", r.Stdout);
        var unclosed = RunSkiff("ps", "--format", "{{.Names");
        Assert.Equal(1, unclosed.ExitCode);
        Assert.Equal("failed to parse template: template: :1: unclosed action\n", unclosed.Stderr);
    }

    [Fact]
    public void Inspect_format_runs_over_the_same_document_inspect_prints()
    {
        var name = UniqueName();
        RunDetached("--name", name, "-e", "GREETING=hi", "busybox", "sleep", "1000");
        try
        {
            var r = RunSkiff("inspect", "-f", "{{.Name}} {{.State.Status}} {{.State.Running}} {{range .Config.Env}}{{if eq . \"GREETING=hi\"}}found{{end}}{{end}} {{json .Config.Cmd}}", name);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal($"/{name} running true found [\"sleep\",\"1000\"]\n", r.Stdout);
            var document = Inspect(name);
            Assert.Equal(document.GetProperty("Id").GetString() + "\n", RunSkiff("inspect", "--format", "{{.Id}}", name).Stdout);

            var missing = RunSkiff("inspect", "-f", "{{.Nope}}", name);
            Assert.Equal(1, missing.ExitCode);
            Assert.Equal("template parsing error: template: :1:2: executing \"\" at <.Nope>: map has no entry for key \"Nope\"\n", missing.Stderr);
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
    }

    [Fact]
    public void Version_network_volume_and_image_lists_take_format()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+ linux\n$", RunSkiff("version", "--format", "{{.Server.Version}} {{.Client.Os}}").Stdout);
        Assert.Equal("template parsing error: template: version:1: unclosed action\n", RunSkiff("version", "--format", "{{.Client").Stderr);

        var volume = UniqueName();
        Assert.Equal(0, RunSkiff("volume", "create", volume).ExitCode);
        try
        {
            Assert.Contains($"{volume}=local\n", RunSkiff("volume", "ls", "--format", "{{.Name}}={{.Driver}}").Stdout);
            Assert.Equal($"{volume} local\n", RunSkiff("volume", "inspect", "-f", "{{.Name}} {{.Scope}}", volume).Stdout);
        }
        finally
        {
            RunSkiff("volume", "rm", volume);
        }

        RunSkiff("run", "--rm", "busybox", "true");
        Assert.Contains("busybox:latest\n", RunSkiff("images", "--format", "{{.Repository}}:{{.Tag}}").Stdout);
        Assert.Equal("busybox\n", RunSkiff("image", "inspect", "-f", "{{index .RepoTags 0 | printf \"%.7s\"}}", "busybox").Stdout);
        Assert.Contains("skiff0 bridge local\n", RunSkiff("network", "ls", "--format", "{{.Bridge}} {{.Driver}} {{.Scope}}").Stdout);
    }
}
