using System.CommandLine;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff top CTR [ps OPTIONS]</c>.</summary>
public static class TopCommand
{
    private static readonly Argument<string> Container = new("container") { Description = "Container name or ID" };
    // Named as PositionalSplitter expects, so "-o pid,comm" after the container goes to ps.
    private static readonly Argument<string[]> PsOptions = new(PositionalSplitter.CommandArgument) { Description = "Options for ps, e.g. -o pid,comm", Arity = ArgumentArity.ZeroOrMore };

    public static Command Build()
    {
        var command = new Command("top", "Display the running processes of a container") { Container, PsOptions };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            var table = new ContainerProcesses(engine).List(p.GetValue(Container)!, p.GetValue(PsOptions) ?? []);
            ImagesCommand.PrintTable([[.. table.Titles], .. table.Rows]);
            return 0;
        });
        return command;
    }
}
