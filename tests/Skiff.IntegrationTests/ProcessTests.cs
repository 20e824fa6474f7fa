using System.Diagnostics;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

public sealed class ProcessTests
{
    [Fact]
    public void Exit_code_of_the_program_is_passed_through()
    {
        Assert.Equal(3, RunSkiff("run", "--rm", "busybox", "sh", "-c", "exit 3").ExitCode);
        Assert.Equal(0, RunSkiff("run", "--rm", "busybox", "true").ExitCode);
    }

    [Fact]
    public void Command_not_found_exits_127_with_a_message()
    {
        var r = RunSkiff("run", "--rm", "busybox", "no-such-program");
        Assert.Equal(127, r.ExitCode);
        Assert.Contains("\"no-such-program\": executable file not found in $PATH", r.Stderr);

        var path = RunSkiff("run", "--rm", "busybox", "/no/such/file");
        Assert.Equal(127, path.ExitCode);
        Assert.Contains("no such file or directory", path.Stderr);
    }

    [Fact]
    public void Not_executable_exits_126_with_a_message()
    {
        var dir = RunSkiff("run", "--rm", "busybox", "/etc");
        Assert.Equal(126, dir.ExitCode);
        Assert.Contains("\"/etc\"", dir.Stderr);

        var file = RunSkiff("run", "--rm", "busybox", "/etc/passwd");
        Assert.Equal(126, file.ExitCode);
        Assert.Contains("permission denied", file.Stderr);
    }

    [Fact]
    public void Engine_errors_exit_125_and_say_what_to_do()
    {
        var image = RunSkiff("run", "--rm", "no-such-image");
        Assert.Equal(125, image.ExitCode);
        Assert.Contains("no-such-image", image.Stderr);

        var flag = RunSkiff("run", "--rm", "--no-such-flag", "busybox", "true");
        Assert.Equal(125, flag.ExitCode);

        var memory = RunSkiff("run", "--rm", "-m", "lots", "busybox", "true");
        Assert.Equal(125, memory.ExitCode);
        Assert.Contains("lots", memory.Stderr);
    }

    [Fact]
    public void Interactive_pipes_stdin_to_the_program()
    {
        var r = SkiffWithInput("hi\n", "run", "--rm", "-i", "busybox", "cat");
        Assert.Equal("hi\n", r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void Without_interactive_stdin_is_empty()
    {
        var r = SkiffWithInput("should not arrive\n", "run", "--rm", "busybox", "cat");
        Assert.Equal("", r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }

    [Theory]
    [InlineData("TERM", 15, 43)]
    [InlineData("INT", 2, 42)]
    [InlineData("HUP", 1, 41)]
    public void Signals_sent_to_skiff_reach_the_container(string name, int signal, int expectedExit)
    {
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { "run", "--rm", "busybox", "sh", "-c",
            $"trap 'exit 43' TERM; trap 'exit 42' INT; trap 'exit 41' HUP; echo ready; while true; do sleep 0.1; done" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        Assert.Equal(0, Sh($"kill -{name} {p.Id}").ExitCode);
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(20)), $"SIG{name} ({signal}) did not end the container");
        Assert.Equal(expectedExit, p.ExitCode);
    }
}
