using System.CommandLine;

namespace Skiff.Cli.Commands;

public static class RmCommand
{
    private static readonly Option<bool> Force = new("--force", "-f") { Description = "Kill and remove a running container" };
    private static readonly Option<bool> Volumes = new("--volumes", "-v") { Description = "Remove the anonymous volumes of the container" };

    public static Command Build()
    {
        var containers = ContainerArguments.Many();
        var command = new Command("rm", "Remove containers") { Force, Volumes, containers };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            return ContainerArguments.ForEach(p.GetValue(containers)!, name =>
            {
                engine.Remove(name, p.GetValue(Force), p.GetValue(Volumes));
                Console.WriteLine(name);
            });
        });
        return command;
    }
}
