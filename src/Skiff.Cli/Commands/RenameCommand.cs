using System.CommandLine;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff rename OLD NEW</c>.</summary>
public static class RenameCommand
{
    private static readonly Argument<string> Container = new("container") { Description = "Container name or ID" };
    private static readonly Argument<string> NewName = new("new-name") { Description = "The new name" };

    public static Command Build()
    {
        var command = new Command("rename", "Rename a container") { Container, NewName };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            new ContainerHousekeeping(engine).Rename(p.GetValue(Container)!, p.GetValue(NewName)!);
            return 0;
        });
        return command;
    }
}
