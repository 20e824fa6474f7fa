using System.CommandLine;
using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.Monitor;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff run</c>: create a container and start it, in the foreground or (-d) under a monitor.</summary>
public static class RunCommand
{
    private static readonly Option<bool> Detach = new("--detach", "-d") { Description = "Run in the background and print the container ID" };

    public static Command Build()
    {
        var command = new Command("run", "Create and run a new container from an image") { Detach }.WithFlags();
        command.SetAction(Execute);
        return command;
    }

    private static int Execute(ParseResult p)
    {
        using var engine = new ContainerEngine(SkiffPaths.FromEnvironment()) { Notices = ContainerFlags.Notice };
        var request = ContainerFlags.ToRequest(p);
        if (!p.GetValue(Detach) && InputTerminal.Refuses(request.Interactive, request.Tty)) return InputTerminal.RefusedExitCode;
        ImagePulling.Ensure(p.GetValue(ImagePulling.Policy)!, request.Image);
        if (p.GetValue(Detach))
        {
            var record = engine.Create(request);
            try
            {
                MonitorLauncher.Start(engine, record);
            }
            catch
            {
                // The container this run made must not keep its name after the run failed (a
                // retry would be refused): unlike `create` then `start`, nobody asked for it alone.
                engine.Remove(record.Id, force: true, removeVolumes: true);
                throw;
            }
            Console.WriteLine(record.Id);
            return 0;
        }
        var outcome = new ForegroundRun(engine).Run(request);
        if (outcome.OomKilled)
            Console.Error.WriteLine($"skiff: the container was killed because it ran out of memory (limit {p.GetValue(ContainerFlags.Memory)}); raise it with --memory");
        return outcome.ExitCode;
    }
}
