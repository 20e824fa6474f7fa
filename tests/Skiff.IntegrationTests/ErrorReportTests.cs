using System.Text.RegularExpressions;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>What the native binary prints when a command fails: one sentence, never a runtime resource
/// key or a stack trace, unless the user asks for the trace.</summary>
public sealed class ErrorReportTests : IDisposable
{
    private readonly string _notADirectory = Path.Join(Path.GetTempPath(), UniqueName());

    public ErrorReportTests() => File.WriteAllText(_notADirectory, "a file where a state directory should be\n");

    public void Dispose() => File.Delete(_notADirectory);

    [Fact]
    public void Runtime_failure_is_one_line_without_resource_key_or_trace()
    {
        var result = SkiffWithEnv("SKIFF_ROOT", _notADirectory, "ps");
        Assert.Equal(125, result.ExitCode);
        var lines = result.Stderr.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("skiff: ", lines[0]);
        Assert.DoesNotMatch(@"\b[A-Za-z]+_[A-Za-z]+_[A-Za-z]+\b", lines[0]); // a key such as IO_FileExists_Name
        Assert.DoesNotContain(" at ", lines[0]);
    }

    [Fact]
    public void Debug_flag_adds_the_trace_after_the_same_line()
    {
        var plain = SkiffWithEnv("SKIFF_ROOT", _notADirectory, "ps");
        var debug = SkiffWithEnv("SKIFF_ROOT", _notADirectory, "--debug", "ps");
        Assert.Equal(125, debug.ExitCode);
        Assert.StartsWith(plain.Stderr, debug.Stderr);
        Assert.Matches(new Regex(@"^\s+at Skiff\.", RegexOptions.Multiline), debug.Stderr);
    }

    [Fact]
    public void User_error_is_its_sentence_and_SKIFF_DEBUG_adds_the_trace()
    {
        var name = UniqueName();
        var plain = RunSkiff("logs", name);
        Assert.Equal(125, plain.ExitCode);
        Assert.Equal($"skiff: no such container: {name} (see `skiff ps -a` for the containers there are)\n", plain.Stderr);
        var debug = SkiffWithEnv("SKIFF_DEBUG", "1", "logs", name);
        Assert.StartsWith(plain.Stderr, debug.Stderr);
        Assert.Matches(new Regex(@"^\s+at Skiff\.", RegexOptions.Multiline), debug.Stderr);
    }
}
