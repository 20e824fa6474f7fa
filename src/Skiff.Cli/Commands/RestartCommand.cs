using System.CommandLine;
using Skiff.Engine.Containers;
using Skiff.Engine.Monitor;

namespace Skiff.Cli.Commands;

public static class RestartCommand
{
    public static Command Build()
    {
        var containers = ContainerArguments.Many();
        var command = new Command("restart", "Stop (if running) and start containers again") { StopCommand.Time, containers };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            return ContainerArguments.ForEach(p.GetValue(containers)!, name =>
            {
                new ContainerSignals(engine).Stop(name, StopCommand.Grace(p));
                MonitorLauncher.Start(engine, engine.Find(name));
                Console.WriteLine(name);
            });
        });
        return command;
    }
}
