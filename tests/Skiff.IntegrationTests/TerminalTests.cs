using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>-t through a real pseudo-terminal: util-linux's script gives skiff one, as a terminal emulator would.</summary>
public sealed class TerminalTests
{
    private static RunResult InTerminal(string skiffArgs, string input = "") =>
        Run("/usr/bin/script", ["-qec", $"stty cols 101 rows 33; {Binary} {skiffArgs}", "/dev/null"], stdin: input);

    [Fact]
    public void Tty_gives_the_program_a_pty_from_the_containers_devpts_with_our_window_size()
    {
        var r = InTerminal("run --rm -t busybox sh -c 'tty; stty size; echo $TERM; test -t 0 && echo stdin-is-tty'");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["/dev/pts/0", "33 101", "xterm", "stdin-is-tty"], lines);
    }

    /// <summary>
    /// The terminal skiff runs in (a pty from util-linux's script) is resized from outside, as a
    /// terminal emulator would: the kernel sends skiff SIGWINCH, and the container's pty follows.
    /// </summary>
    [Fact]
    public void Resizing_the_terminal_resizes_the_containers_pty()
    {
        using var terminal = LiveProcess.InTerminal("run --rm -it busybox sh -c 'stty size; trap \"stty size\" WINCH; trap \"exit 0\" HUP; while true; do sleep 0.1; done'", columns: 90, rows: 20);
        var skiff = "";
        try
        {
            terminal.WaitForOutput("20 90", "the first size is reported");
            skiff = Sh($"pgrep -f -n '^{Binary} run --rm -it'").Stdout.Trim();
            Assert.Equal(0, Sh($"stty -F {terminal.TerminalDevice()} rows 40 cols 120").ExitCode);
            terminal.WaitForOutput("40 120", "the new size is reported after the resize");
        }
        finally
        {
            // The hang-up is forwarded to the shell, which exits on it (as PID 1 it has no default
            // action); skiff then removes the container (--rm).
            if (skiff.Length > 0) Sh($"kill -HUP {skiff}");
            terminal.WaitForExit();
        }
    }

    [Fact]
    public void Tty_exit_code_is_passed_through()
    {
        Assert.Equal(7, InTerminal("run --rm -it busybox sh -c 'exit 7'").ExitCode);
    }

    [Fact]
    public void Interactive_tty_runs_a_shell_fed_from_the_terminal()
    {
        var r = InTerminal("run --rm -it busybox sh", "echo $((6*7)); exit 5\n");
        Assert.Contains("42", r.Stdout);
        Assert.Equal(5, r.ExitCode);
    }

    [Fact]
    public void Tty_puts_the_program_in_its_own_session_with_a_controlling_terminal()
    {
        // Fields 6 and 7 of /proc/PID/stat: the session id and the controlling terminal's device number.
        var r = InTerminal("run --rm -t busybox sh -c 'read pid comm state ppid pgrp sid tty rest < /proc/$$/stat; echo $sid $tty; ls /dev/console'");
        var fields = r.Stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("1", fields[0].Split(' ')[0]);
        Assert.NotEqual("0", fields[0].Split(' ')[1]);
        Assert.Equal("/dev/console", fields[1]);
    }

    /// <summary>
    /// Each exec with -t gets a pty of its own, any number of times, in a container with a console
    /// (-t) or without: an exec never takes over the container's /dev/console.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Exec_with_a_tty_works_again_and_again_on_one_container(bool containerHasTty)
    {
        var name = UniqueName();
        RunDetached([.. containerHasTty ? ["-t"] : Array.Empty<string>(), "--name", name, "busybox", "sleep", "1000"]);
        try
        {
            var consoleBefore = RunSkiff("exec", name, "stat", "-c", "%t:%T", "/dev/console").Stdout;
            for (var i = 0; i < 3; i++)
            {
                var r = InTerminal($"exec -it {name} sh -c 'test -t 0 && tty'");
                Assert.True(r.ExitCode == 0, $"exec -it number {i + 1}: {r}");
                // util-linux's script sends a NUL when its own stdin ends; the pty echoes it as ^@.
                Assert.True(r.Stdout.Replace("^@", "").Trim().StartsWith("/dev/pts/", StringComparison.Ordinal), $"exec -it number {i + 1}: {r}");
            }
            Assert.Equal(0, InTerminal($"exec -t {name} true").ExitCode);
            Assert.Equal(consoleBefore, RunSkiff("exec", name, "stat", "-c", "%t:%T", "/dev/console").Stdout);
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
    }

    /// <summary>
    /// <c>echo hi | skiff run -it</c>: there is no terminal to relay, and the program would wait on
    /// its pty forever. Docker refuses at once with exit 1 and creates nothing; so do we.
    /// </summary>
    [Theory]
    [InlineData("run")]
    [InlineData("exec")]
    public void Interactive_tty_with_a_pipe_on_stdin_is_refused_as_docker_refuses_it(string verb)
    {
        var name = UniqueName();
        if (verb == "exec") RunDetached("--name", name, "busybox", "sleep", "1000");
        try
        {
            string[] args = verb == "run" ? ["run", "--rm", "-it", "--name", name, "busybox", "cat"] : ["exec", "-it", name, "cat"];
            var r = Run(Binary, args, stdin: "hi\n", timeout: TimeSpan.FromSeconds(30));
            Assert.Equal(1, r.ExitCode);
            Assert.Equal("the input device is not a TTY\n", r.Stderr);
            if (verb == "run") Assert.NotEqual(0, RunSkiff("inspect", name).ExitCode);
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
    }
}
