using System.CommandLine;
using Skiff.Cli.Formatting;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

public static class InspectCommand
{
    /// <summary>Docker's inspect flag, shared by the inspect verbs of every kind of object.</summary>
    public static readonly Option<string?> Format = new("--format", "-f") { Description = "Format output using a custom template: 'json' (the default) or a Go template" };

    public static Command Build()
    {
        var containers = ContainerArguments.Many();
        var command = new Command("inspect", "Show low-level information on containers, as Docker's JSON") { Format, containers };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            var found = new List<Engine.State.ContainerRecord>();
            var status = ContainerArguments.ForEach(p.GetValue(containers)!, name => found.Add(engine.Find(name)));
            InspectOutput.Print(p.GetValue(Format), found, (w, c) => ContainerInspection.Write(w, c, engine));
            return status;
        });
        return command;
    }
}
