using System.CommandLine;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

/// <summary>The <c>skiff container</c> group: Docker's management-command spellings of the container
/// verbs (ls, rm, inspect, …) and <c>container prune</c>. Verbs that take a command line (run,
/// create, exec) stay top-level only, where the argument splitting they need is done.</summary>
public static class ContainerCommand
{
    private static readonly Option<bool> Force = new("--force", "-f") { Description = "Do not prompt for confirmation" };

    public static Command Build()
    {
        var ls = PsCommand.Build();
        ls.Aliases.Add("ls");
        ls.Aliases.Add("list");
        return new Command("container", "Manage containers")
        {
            ls, BuildPrune(), RmCommand.Build(), InspectCommand.Build(), StartCommand.Build(), StopCommand.Build(),
            KillCommand.Build(), RestartCommand.Build(), WaitCommand.Build(), LogsCommand.Build(), CommitCommand.Build(),
            CpCommand.Build(), ExportCommand.Build(), TopCommand.Build(), StatsCommand.Build(), PauseCommand.BuildPause(),
            PauseCommand.BuildUnpause(), RenameCommand.Build(),
        };
    }

    private static Command BuildPrune()
    {
        var command = new Command("prune", "Remove all stopped containers") { Force };
        command.SetAction(_ =>
        {
            using var engine = ContainerArguments.Engine();
            var report = new ContainerHousekeeping(engine).Prune();
            if (report.Removed.Count > 0)
            {
                Console.WriteLine("Deleted Containers:");
                foreach (var id in report.Removed) Console.WriteLine(id);
                Console.WriteLine();
            }
            Console.WriteLine($"Total reclaimed space: {HumanSizes.Decimal(report.ReclaimedBytes)}");
            return 0;
        });
        return command;
    }
}
