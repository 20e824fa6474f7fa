using Skiff.Cli.Runc;
using Skiff.Runtime.Oci;

namespace Skiff.UnitTests.Runc;

public sealed class RuncCommandLineTests
{
    [Theory]
    [InlineData("KILL", 9)]
    [InlineData("SIGKILL", 9)]
    [InlineData("term", 15)]
    [InlineData("9", 9)]
    [InlineData("SIGRTMIN+2", 36)]
    [InlineData("USR1", 10)]
    public void Signals_are_read_by_name_or_number(string text, int number) =>
        Assert.Equal(number, SignalNames.Parse(text));

    [Fact]
    public void An_unknown_signal_is_refused_by_name()
    {
        var e = Assert.Throws<OciException>(() => SignalNames.Parse("SIGNOPE"));
        Assert.Contains("SIGNOPE", e.Message);
    }

    [Fact]
    public void Flags_come_in_every_form_runc_takes_and_the_command_keeps_its_own()
    {
        var parsed = RuncArguments.Parse(["--env", "a=1", "-e=b=2", "--tty", "-cwd", "/srv", "ctr", "sh", "-c", "--tty"],
            "exec", ["env|e", "cwd"], ["tty|t"]);

        Assert.Equal(["a=1", "b=2"], parsed.Values("env"));
        Assert.Equal("/srv", parsed.Value("cwd"));
        Assert.True(parsed.Has("tty"));
        Assert.Equal("ctr", parsed.Id("exec"));
        Assert.Equal(["ctr", "sh", "-c", "--tty"], parsed.Positional);
    }

    [Fact]
    public void An_unknown_flag_and_a_missing_id_are_refused_with_the_verb()
    {
        Assert.Contains("--nope", Assert.Throws<OciException>(() => RuncArguments.Parse(["--nope"], "start", [], [])).Message);
        Assert.Contains("missing the container id", Assert.Throws<OciException>(() => RuncArguments.Parse([], "start", [], []).Id("start")).Message);
    }
}
