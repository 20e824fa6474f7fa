using System.CommandLine;

namespace Skiff.Cli.Commands;

public static class WaitCommand
{
    public static Command Build()
    {
        var containers = ContainerArguments.Many();
        var command = new Command("wait", "Block until containers stop, then print their exit codes") { containers };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            return ContainerArguments.ForEach(p.GetValue(containers)!, name =>
                Console.WriteLine(engine.WaitForExit(engine.Find(name).Id).ExitCode));
        });
        return command;
    }
}
