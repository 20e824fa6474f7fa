using Skiff.Cli;

namespace Skiff.UnitTests.Cli;

public sealed class UsageCheckTests
{
    private static UsageProblem? Find(params string[] args) => UsageCheck.Find(SkiffCli.Build(), args);

    [Fact]
    public void An_unknown_flag_before_the_image_is_named_with_runs_usage()
    {
        var problem = Find("run", "--rmm", "busybox", "true");
        Assert.NotNull(problem);
        Assert.Equal("unknown flag: --rmm\n\nUsage:  skiff run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'skiff run --help' for more information", problem.Text);
        Assert.Equal(125, problem.ExitCode);
    }

    [Fact]
    public void An_unknown_verb_is_named_as_the_docker_client_names_it()
    {
        var problem = Find("rnu", "busybox");
        Assert.NotNull(problem);
        Assert.Equal("skiff: unknown command: skiff rnu", problem.Message);
        Assert.Equal(1, problem.ExitCode);
    }

    [Fact]
    public void An_unknown_subverb_names_its_group()
    {
        var problem = Find("network", "lss");
        Assert.NotNull(problem);
        Assert.Equal("skiff: unknown command: skiff network lss", problem.Message);
    }

    [Fact]
    public void An_unknown_letter_in_a_bundle_is_named_with_the_bundle()
    {
        Assert.Equal("unknown shorthand flag: 'z' in -itz", Find("run", "-itz", "busybox")?.Message);
        Assert.Equal("unknown shorthand flag: 'z' in -z", Find("ps", "-z")?.Message);
    }

    [Theory]
    [InlineData("run", "--rm", "-it", "busybox", "ls", "--bogus", "-z")]
    [InlineData("run", "-m64m", "--name=x", "-e", "--not-a-flag", "busybox")]
    [InlineData("exec", "-it", "c", "sh", "-c", "--x")]
    [InlineData("rm", "c1", "-f")]
    [InlineData("ps", "--help")]
    [InlineData("network", "ls", "-q")]
    [InlineData("run", "busybox", "--", "--anything")]
    public void Known_flags_values_and_the_programs_own_flags_pass(params string[] args)
    {
        Assert.Null(Find(args));
    }

    [Fact]
    public void Usage_lines_follow_the_docker_clients_shape()
    {
        var root = SkiffCli.Build();
        var rm = root.Subcommands.Single(c => c.Name == "rm");
        Assert.Equal("skiff rm [OPTIONS] CONTAINER [CONTAINER...]", UsageCheck.Usage(rm, "skiff rm"));
        var exec = root.Subcommands.Single(c => c.Name == "exec");
        Assert.Equal("skiff exec [OPTIONS] CONTAINER COMMAND [ARG...]", UsageCheck.Usage(exec, "skiff exec"));
    }
}
