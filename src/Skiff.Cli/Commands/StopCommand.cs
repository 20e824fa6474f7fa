using System.CommandLine;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

public static class StopCommand
{
    public static readonly Option<int?> Time = new("--time", "-t") { Description = "Seconds to wait before killing the container (default: its --stop-timeout, or 10)" };

    public static TimeSpan? Grace(ParseResult p) => p.GetValue(Time) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    public static Command Build()
    {
        var containers = ContainerArguments.Many();
        var command = new Command("stop", "Stop running containers: SIGTERM, then SIGKILL after the grace period") { Time, containers };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            return ContainerArguments.ForEach(p.GetValue(containers)!, name =>
            {
                new ContainerSignals(engine).Stop(name, Grace(p));
                Console.WriteLine(name);
            });
        });
        return command;
    }
}
