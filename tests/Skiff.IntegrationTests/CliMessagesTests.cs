using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>What a Docker user's typos and everyday flags get from the real binary: Docker's words and exit codes.</summary>
public sealed class CliMessagesTests
{
    [Fact]
    public void An_unknown_flag_before_the_image_is_named_and_nothing_is_created()
    {
        var name = UniqueName();
        var r = RunSkiff("run", "--name", name, "--rmm", "busybox", "true");
        Assert.Equal(125, r.ExitCode);
        Assert.StartsWith("unknown flag: --rmm\n\nUsage:  skiff run [OPTIONS] IMAGE [COMMAND] [ARG...]\n", r.Stderr);
        Assert.NotEqual(0, RunSkiff("inspect", name).ExitCode);
    }

    [Fact]
    public void An_unknown_verb_is_named_with_the_help_hint()
    {
        var r = RunSkiff("rnu", "busybox");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("skiff: unknown command: skiff rnu\n\nUsage:  skiff [OPTIONS] COMMAND\n\nRun 'skiff --help' for more information\n", r.Stderr);
    }

    [Fact]
    public void Ps_last_and_latest_show_the_newest_created_containers_in_any_state()
    {
        var prefix = UniqueName();
        string[] names = [prefix + "-old", prefix + "-mid", prefix + "-new"];
        foreach (var name in names) Assert.Equal(0, RunSkiff("create", "--name", name, "busybox", "true").ExitCode);
        try
        {
            Assert.Equal($"{names[2]}\n{names[1]}\n", RunSkiff("ps", "-n", "2", "--filter", $"name={prefix}", "--format", "{{.Names}}").Stdout);
            Assert.Equal($"{names[2]}\n", RunSkiff("ps", "-l", "--filter", $"name={prefix}", "--format", "{{.Names}}").Stdout);
            Assert.Equal("", RunSkiff("ps", "--filter", $"name={prefix}", "--format", "{{.Names}}").Stdout);
        }
        finally
        {
            RunSkiff(["rm", .. names]);
        }
    }
}
