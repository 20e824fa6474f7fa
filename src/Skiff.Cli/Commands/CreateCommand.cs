using System.CommandLine;
using Skiff.Engine;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

public static class CreateCommand
{
    public static Command Build()
    {
        var command = new Command("create", "Create a new container without starting it").WithFlags();
        command.SetAction(p =>
        {
            using var engine = new ContainerEngine(SkiffPaths.FromEnvironment());
            Console.WriteLine(engine.Create(ContainerFlags.ToRequest(p)).Id);
            return 0;
        });
        return command;
    }
}
