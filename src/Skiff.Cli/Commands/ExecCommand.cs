using System.CommandLine;
using Skiff.Engine.Containers;
using Skiff.Engine.State;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff exec</c>: run a command in a running container.</summary>
public static class ExecCommand
{
    private static readonly Option<bool> Detach = new("--detach", "-d") { Description = "Run the command in the background" };
    private static readonly Option<bool> Interactive = new("--interactive", "-i") { Description = "Keep STDIN open" };
    private static readonly Option<bool> Tty = new("--tty", "-t") { Description = "Allocate a pseudo-TTY" };
    private static readonly Option<string[]> Env = new("--env", "-e") { Description = "Set environment variables" };
    private static readonly Option<string?> Workdir = new("--workdir", "-w") { Description = "Working directory inside the container" };
    private static readonly Option<string?> User = new("--user", "-u") { Description = "Username or UID[:GID]" };
    private static readonly Option<bool> Privileged = new("--privileged") { Description = "Give extended privileges to the command" };

    public static Command Build()
    {
        var container = new Argument<string>("container") { Description = "Container name or ID" };
        var command = new Argument<string[]>(PositionalSplitter.CommandArgument) { Description = "The command and its arguments", Arity = ArgumentArity.OneOrMore };
        var exec = new Command("exec", "Run a command in a running container") { Detach, Interactive, Tty, Env, Workdir, User, Privileged, container, command };
        exec.SetAction(p =>
        {
            var request = new ExecRequest
            {
                Command = p.GetValue(command)!,
                Interactive = p.GetValue(Interactive),
                Tty = p.GetValue(Tty),
                Env = EnvironmentList.Collect([], p.GetValue(Env) ?? []),
                WorkingDir = p.GetValue(Workdir),
                User = p.GetValue(User),
                Privileged = p.GetValue(Privileged),
            };
            if (!p.GetValue(Detach) && InputTerminal.Refuses(request.Interactive, request.Tty)) return InputTerminal.RefusedExitCode;
            using var engine = ContainerArguments.Engine();
            try
            {
                if (!p.GetValue(Detach)) return new ForegroundRun(engine).Exec(p.GetValue(container)!, request);
                using var devNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite);
                var fd = (int)devNull.DangerousGetHandle();
                using var process = engine.Exec(p.GetValue(container)!, request with { Tty = false, Interactive = false }, [fd, fd, fd]);
                return 0;
            }
            catch (ConflictException e)
            {
                // Docker exits 1, not 125, when the container is not running.
                Console.Error.WriteLine($"skiff: {e.Message}");
                return 1;
            }
        });
        return exec;
    }
}
