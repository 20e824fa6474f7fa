using System.CommandLine;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

public static class StopCommand
{
    public static readonly Option<int> Time = new("--time", "-t") { Description = "Seconds to wait before killing the container", DefaultValueFactory = _ => 10 };

    public static Command Build()
    {
        var containers = ContainerArguments.Many();
        var command = new Command("stop", "Stop running containers: SIGTERM, then SIGKILL after the grace period") { Time, containers };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            return ContainerArguments.ForEach(p.GetValue(containers)!, name =>
            {
                new ContainerSignals(engine).Stop(name, TimeSpan.FromSeconds(p.GetValue(Time)));
                Console.WriteLine(name);
            });
        });
        return command;
    }
}
