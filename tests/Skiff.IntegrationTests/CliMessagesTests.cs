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
}
