using System.CommandLine;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

public static class KillCommand
{
    private static readonly Option<string> Signal = new("--signal", "-s") { Description = "Signal to send (name or number)", DefaultValueFactory = _ => "KILL" };

    public static Command Build()
    {
        var containers = ContainerArguments.Many();
        var command = new Command("kill", "Send a signal to running containers") { Signal, containers };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            var signal = SignalNames.Parse(p.GetValue(Signal)!);
            return ContainerArguments.ForEach(p.GetValue(containers)!, name =>
            {
                new ContainerSignals(engine).Kill(name, signal);
                Console.WriteLine(name);
            });
        });
        return command;
    }
}
