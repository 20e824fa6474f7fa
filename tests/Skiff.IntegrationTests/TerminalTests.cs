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
}
