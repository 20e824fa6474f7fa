using Skiff.Cli;
using Skiff.Engine.State;
using Skiff.Runtime;

namespace Skiff.UnitTests.Cli;

public sealed class FailureReportTests
{
    [Fact]
    public void Skiff_failure_prints_its_own_sentence_and_exit_code()
    {
        var error = new StringWriter();
        var code = SkiffCli.Report(new NoSuchContainerException("web"), error, debug: false);
        Assert.Equal(125, code);
        Assert.Equal("skiff: no such container: web (see `skiff ps -a` for the containers there are)\n", error.ToString());
    }

    [Fact]
    public void Program_that_cannot_start_keeps_dockers_exit_code()
    {
        var error = new StringWriter();
        Assert.Equal(127, SkiffCli.Report(new ContainerStartException(127, "exec: \"nosuch\": executable file not found in $PATH"), error, debug: false));
        Assert.Equal("skiff: exec: \"nosuch\": executable file not found in $PATH\n", error.ToString());
    }

    [Fact]
    public void Runtime_failure_with_a_resource_key_names_the_failure_and_the_operation_not_the_key()
    {
        // What the native build (UseSystemResourceKeys) makes of File.OpenRead on a missing file.
        var error = new StringWriter();
        var code = SkiffCli.Report(Caught(() => OpenStateFile("IO_FileNotFound_FileName, /var/lib/skiff/absent")), error, debug: false);
        Assert.Equal(125, code);
        Assert.Equal("skiff: internal error: file not found (/var/lib/skiff/absent) in Skiff.UnitTests.Cli.FailureReportTests.OpenStateFile; " +
                     "run with --debug for details\n", error.ToString());
    }

    [Fact]
    public void Runtime_failure_with_a_sentence_is_one_internal_error_line_without_a_trace()
    {
        var error = new StringWriter();
        SkiffCli.Report(Caught(() => throw new InvalidOperationException("bridge skiff0 is missing")), error, debug: false);
        Assert.Equal("skiff: internal error: bridge skiff0 is missing; run with --debug for details\n", error.ToString());
    }

    [Fact]
    public void Key_without_arguments_names_the_kind_of_failure()
    {
        var error = new StringWriter();
        SkiffCli.Report(Caught(() => throw new IOException("IO_SharingViolation_NoFileName")), error, debug: false);
        // Thrown in a lambda: the line names the method the lambda is written in, not the compiler's name for it.
        Assert.Equal("skiff: internal error: I/O error in Skiff.UnitTests.Cli.FailureReportTests.Key_without_arguments_names_the_kind_of_failure; " +
                     "run with --debug for details\n", error.ToString());
    }

    [Fact]
    public void Debug_adds_the_full_trace_after_the_sentence()
    {
        var error = new StringWriter();
        SkiffCli.Report(Caught(() => OpenStateFile("IO_FileNotFound_FileName, /x")), error, debug: true);
        var lines = error.ToString().Split('\n');
        Assert.StartsWith("skiff: internal error: file not found (/x)", lines[0]);
        Assert.Contains(lines, l => l.TrimStart().StartsWith("at Skiff.UnitTests.Cli.FailureReportTests.OpenStateFile", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_debug_no_line_of_a_trace_is_printed()
    {
        var error = new StringWriter();
        SkiffCli.Report(Caught(() => OpenStateFile("IO_FileNotFound_FileName, /x")), error, debug: false);
        Assert.Single(error.ToString().TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain(" at ", error.ToString());
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void OpenStateFile(string message) => throw new FileNotFoundException(message);

    private static Exception Caught(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            return e;
        }
        throw new InvalidOperationException("the action did not fail");
    }
}
