using Skiff.Cli;
using Skiff.Cli.Commands;

namespace Skiff.UnitTests.Cli;

public sealed class PositionalSplitterTests
{
    private static string[] Prepare(params string[] args) => PositionalSplitter.Prepare(SkiffCli.Build(), args);

    [Fact]
    public void Options_after_the_image_belong_to_the_command()
    {
        Assert.Equal(["run", "busybox", "--", "ls", "-l"], Prepare("run", "busybox", "ls", "-l"));
    }

    [Fact]
    public void Bundled_boolean_short_options_take_no_value()
    {
        Assert.Equal(["run", "-it", "busybox", "--", "sh"], Prepare("run", "-it", "busybox", "sh"));
    }

    [Fact]
    public void Value_options_skip_their_values_before_the_image()
    {
        Assert.Equal(["run", "-e", "A=1", "--name", "x", "busybox", "--", "env"], Prepare("run", "-e", "A=1", "--name", "x", "busybox", "env"));
    }

    [Fact]
    public void Option_with_an_equals_value_is_one_token()
    {
        Assert.Equal(["run", "--memory=64m", "busybox", "--", "true"], Prepare("run", "--memory=64m", "busybox", "true"));
    }

    [Fact]
    public void Short_value_option_consumes_the_next_token()
    {
        Assert.Equal(["run", "-m", "64m", "busybox", "--", "true"], Prepare("run", "-m", "64m", "busybox", "true"));
    }

    [Fact]
    public void Bundle_ending_in_a_value_option_consumes_the_next_token()
    {
        Assert.Equal(["run", "-im", "64m", "busybox", "--", "true"], Prepare("run", "-im", "64m", "busybox", "true"));
    }

    [Fact]
    public void Bundle_with_the_value_attached_does_not_consume_the_next_token()
    {
        Assert.Equal(["run", "-m64m", "busybox", "--", "true"], Prepare("run", "-m64m", "busybox", "true"));
    }

    [Fact]
    public void Negative_value_of_a_value_option_is_not_taken_for_an_option()
    {
        Assert.Equal(["run", "--pids-limit", "-1", "alpine", "--", "sh"], Prepare("run", "--pids-limit", "-1", "alpine", "sh"));
    }

    [Fact]
    public void Option_alias_net_takes_a_value_like_network()
    {
        Assert.Equal(["run", "--net", "host", "alpine", "--", "ip", "a"], Prepare("run", "--net", "host", "alpine", "ip", "a"));
    }

    [Fact]
    public void Dash_u_after_the_image_stays_in_the_command()
    {
        Assert.Equal(["run", "-u", "1000", "busybox", "--", "id", "-u"], Prepare("run", "-u", "1000", "busybox", "id", "-u"));
    }

    [Fact]
    public void Dash_u_after_the_image_reaches_the_container_not_the_user_flag()
    {
        var root = SkiffCli.Build();
        var parse = root.Parse(PositionalSplitter.Prepare(root, ["run", "-u", "1000", "busybox", "id", "-u"]));

        Assert.Empty(parse.Errors);
        var request = ContainerFlags.ToRequest(parse);
        Assert.Equal(("busybox", "1000"), (request.Image, request.User));
        Assert.Equal(["id", "-u"], request.Command);
    }

    [Fact]
    public void Image_without_a_command_gets_a_trailing_separator_that_parses_to_no_command()
    {
        var root = SkiffCli.Build();
        var prepared = PositionalSplitter.Prepare(root, ["run", "--rm", "busybox"]);
        var parse = root.Parse(prepared);

        Assert.Equal(["run", "--rm", "busybox", "--"], prepared);
        Assert.Empty(parse.Errors);
        Assert.Empty(ContainerFlags.ToRequest(parse).Command);
    }

    [Fact]
    public void Typical_interactive_run_line_becomes_the_request_docker_would_make()
    {
        var root = SkiffCli.Build();
        var parse = root.Parse(PositionalSplitter.Prepare(root, ["run", "-it", "-e", "A=1", "--memory=64m", "--cap-add", "NET_ADMIN", "busybox", "sh", "-c", "echo -n hi"]));

        Assert.Empty(parse.Errors);
        var r = ContainerFlags.ToRequest(parse);
        Assert.Equal((true, true, "busybox", 64L << 20), (r.Interactive, r.Tty, r.Image, r.Resources.MemoryBytes));
        Assert.Equal(["A=1"], r.Env);
        Assert.Equal(["NET_ADMIN"], r.CapAdd);
        Assert.Equal(["sh", "-c", "echo -n hi"], r.Command);
    }

    [Fact]
    public void Explicit_double_dash_is_left_alone()
    {
        Assert.Equal(["run", "--", "busybox", "ls"], Prepare("run", "--", "busybox", "ls"));
    }

    [Fact]
    public void Verb_without_a_command_argument_is_unchanged()
    {
        Assert.Equal(["version"], Prepare("version"));
        Assert.Equal(["version", "--format", "x"], Prepare("version", "--format", "x"));
    }

    [Fact]
    public void Unknown_verb_and_no_arguments_are_unchanged()
    {
        Assert.Equal(["frobnicate", "busybox", "-l"], Prepare("frobnicate", "busybox", "-l"));
        Assert.Empty(Prepare());
    }
}
