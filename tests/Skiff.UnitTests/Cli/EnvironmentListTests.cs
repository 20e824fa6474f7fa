using Skiff.Linux;
using Skiff.Cli;
using Skiff.UnitTests.Runtime;

namespace Skiff.UnitTests.Cli;

public sealed class EnvironmentListTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();
    private readonly string _set = "SKIFF_TEST_SET_" + Guid.NewGuid().ToString("N");
    private readonly string _unset = "SKIFF_TEST_UNSET_" + Guid.NewGuid().ToString("N");

    public EnvironmentListTests() => Environment.SetEnvironmentVariable(_set, "from host");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_set, null);
        _scratch.Dispose();
    }

    [Fact]
    public void Key_value_pairs_are_kept_as_given()
    {
        Assert.Equal(["A=1", "B=x=y", "C="], EnvironmentList.Collect([], ["A=1", "B=x=y", "C="]));
    }

    [Fact]
    public void Bare_key_is_copied_from_this_environment_when_set()
    {
        Assert.Equal([$"{_set}=from host"], EnvironmentList.Collect([], [_set]));
    }

    [Fact]
    public void Bare_key_that_is_unset_here_is_dropped()
    {
        Assert.Equal(["A=1"], EnvironmentList.Collect([], [_unset, "A=1"]));
    }

    [Fact]
    public void Env_file_skips_comments_and_blank_lines_and_comes_before_dash_e()
    {
        var file = _scratch.File("app.env", $"# settings\n\nA=1\n   \n  # indented comment\nB=2\n{_set}\n{_unset}\n");

        Assert.Equal(["A=1", "B=2", $"{_set}=from host", "C=3"], EnvironmentList.Collect([file], ["C=3"]));
    }

    [Fact]
    public void Missing_env_file_is_a_file_not_found_error_naming_it()
    {
        var missing = _scratch["nope.env"];

        var e = Assert.Throws<InvalidInputException>(() => EnvironmentList.Collect([missing], []));
        Assert.Equal($"env file {missing} not found", e.Message);
    }

    [Fact]
    public void Entry_without_a_name_is_rejected()
    {
        var e = Assert.Throws<InvalidInputException>(() => EnvironmentList.Collect([], ["=oops"]));

        Assert.Equal("invalid environment variable: \"=oops\"", e.Message);
    }
}
