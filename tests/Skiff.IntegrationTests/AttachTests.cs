using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>attach, start -a/-i and run -d -i: a terminal joined to a container its monitor runs.</summary>
public sealed class AttachTests
{
    private const string DetachKeys = "\u0010\u0011"; // ctrl-p ctrl-q

    [Fact]
    public void Every_attacher_gets_the_live_output_and_the_exit_code()
    {
        var name = UniqueName();
        RunDetached("--name", name, "busybox", "sh", "-c", "while [ ! -e /go ]; do echo tick; sleep 0.1; done; echo out; echo err >&2; exit 3");
        using var quiet = LiveProcess.Skiff("attach", "--no-stdin", name);
        using var plain = LiveProcess.Skiff("attach", name);
        try
        {
            quiet.WaitForOutput("tick", "the first attacher gets output");
            plain.WaitForOutput("tick", "the second attacher gets output");
            Assert.Equal(0, RunSkiff("exec", name, "touch", "/go").ExitCode);
            foreach (var attacher in new[] { quiet, plain })
            {
                Assert.Equal(3, attacher.WaitForExit());
                Assert.EndsWith("tick\nout\n", attacher.Stdout);
                Assert.Equal("err\n", attacher.Stderr);
            }
            // The exit is recorded before any attacher hears of it.
            Assert.Equal("exited", Status(name));
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
    }

    [Fact]
    public void Run_detached_with_stdin_keeps_it_open_across_attachers_and_detach_keys_leave_it_running()
    {
        var name = UniqueName();
        RunDetached("-i", "--name", name, "busybox", "sh", "-c", "while read line; do echo got-$line; [ $line = end ] && exit 6; done");
        try
        {
            using (var first = LiveProcess.Skiff("attach", name))
            {
                first.Type("one\n");
                first.WaitForOutput("got-one\n", "the first attacher's input reaches the program");
                first.Type(DetachKeys);
                Assert.Equal(0, first.WaitForExit());
            }
            Assert.Equal("running", Status(name));

            // The end of an attacher's input is not the end of the program's (that is create -i's stdin-once).
            using var second = LiveProcess.Skiff("attach", "--detach-keys", "ctrl-a", name);
            second.Type("two\n");
            second.CloseInput();
            second.WaitForOutput("got-two\n", "the second attacher's input reaches the program");
            Assert.Equal("running", Status(name));

            using var third = LiveProcess.Skiff("attach", name);
            third.Type("end\n");
            Assert.Equal(6, third.WaitForExit());
            Assert.Equal(6, second.WaitForExit());
            Assert.Equal("got-one\ngot-two\ngot-end\n", RunSkiff("logs", name).Stdout);
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
    }

    [Fact]
    public void Start_with_stdin_feeds_a_created_container_and_passes_its_exit_code()
    {
        var name = UniqueName();
        Assert.Equal(0, RunSkiff("create", "-i", "--name", name, "busybox", "sh", "-c", "cat; echo done; exit 4").ExitCode);
        try
        {
            var attached = SkiffWithInput("hello\n", "start", "-a", "-i", name);
            Assert.Equal(4, attached.ExitCode);
            Assert.Equal("hello\ndone\n", attached.Stdout);
            // A stopped container again, and -i alone attaches too.
            var again = SkiffWithInput("again\n", "start", "-i", name);
            Assert.Equal(4, again.ExitCode);
            Assert.Equal("again\ndone\n", again.Stdout);
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
    }

    [Fact]
    public void Attaching_a_tty_container_relays_the_terminal_and_detaching_leaves_it_running()
    {
        var name = UniqueName();
        RunDetached("-it", "--name", name, "busybox", "sh");
        try
        {
            using (var terminal = LiveProcess.InTerminal($"attach {name}", columns: 101, rows: 33))
            {
                terminal.Type("stty size; echo $((6*7))\n");
                terminal.WaitForOutput("42", "the shell answers through the attached terminal");
                Assert.Contains("33 101", terminal.Stdout);
                Assert.Equal(0, Sh($"stty -F {terminal.TerminalDevice()} rows 40 cols 120").ExitCode);
                terminal.Type("stty size\n");
                terminal.WaitForOutput("40 120", "the resize reaches the container's pty");
                terminal.Type(DetachKeys);
                Assert.Equal(0, terminal.WaitForExit());
            }
            Assert.Equal("running", Status(name));

            using var again = LiveProcess.InTerminal($"attach {name}");
            again.Type("exit 5\n");
            Assert.Equal(5, again.WaitForExit());
            Assert.Equal("exited", Status(name));
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
    }

    [Fact]
    public void Signals_sent_to_an_attached_skiff_go_to_the_container_unless_sig_proxy_is_off()
    {
        var name = UniqueName();
        RunDetached("--name", name, "busybox", "sh", "-c", "trap 'exit 9' INT; while true; do echo tick; sleep 0.1; done");
        try
        {
            using (var unproxied = LiveProcess.Skiff("attach", "--sig-proxy=false", name))
            {
                unproxied.WaitForOutput("tick", "attached");
                Assert.Equal(0, Sh($"kill -INT {unproxied.Pid}").ExitCode);
                Assert.NotEqual(0, unproxied.WaitForExit());
            }
            Assert.Equal("running", Status(name));

            using var proxied = LiveProcess.Skiff("attach", name);
            proxied.WaitForOutput("tick", "attached");
            Assert.Equal(0, Sh($"kill -INT {proxied.Pid}").ExitCode);
            Assert.Equal(9, proxied.WaitForExit());
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
    }

    [Fact]
    public void Attaching_a_stopped_container_says_to_start_it()
    {
        var name = UniqueName();
        Assert.Equal(0, RunSkiff("create", "--name", name, "busybox", "true").ExitCode);
        try
        {
            var r = RunSkiff("attach", name);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("You cannot attach to a stopped container, start it first", r.Stderr);
        }
        finally
        {
            RunSkiff("rm", "-f", name);
        }
    }
}
