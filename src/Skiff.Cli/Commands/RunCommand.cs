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
        using var engine = new ContainerEngine(SkiffPaths.FromEnvironment());
        var request = ContainerFlags.ToRequest(p);
        if (p.GetValue(Detach))
        {
            var record = engine.Create(request);
            MonitorLauncher.Start(engine, record);
            Console.WriteLine(record.Id);
            return 0;
        }
        var outcome = new ForegroundRun(engine).Run(request);
        if (outcome.OomKilled)
            Console.Error.WriteLine($"skiff: the container was killed because it ran out of memory (limit {p.GetValue(ContainerFlags.Memory)}); raise it with --memory");
        return outcome.ExitCode;
    }
}
