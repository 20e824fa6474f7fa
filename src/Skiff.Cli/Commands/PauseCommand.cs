using System.CommandLine;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff pause</c> and <c>skiff unpause</c>.</summary>
public static class PauseCommand
{
    public static Command BuildPause() => Build("pause", "Pause all processes within containers", (f, name) => f.Pause(name));

    public static Command BuildUnpause() => Build("unpause", "Unpause all processes within containers", (f, name) => f.Unpause(name));

    private static Command Build(string verb, string description, Action<ContainerFreezer, string> action)
    {
        var containers = ContainerArguments.Many();
        var command = new Command(verb, description) { containers };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            var freezer = new ContainerFreezer(engine);
            return ContainerArguments.ForEach(p.GetValue(containers)!, name =>
            {
                action(freezer, name);
                Console.WriteLine(name);
            });
        });
        return command;
    }
}
