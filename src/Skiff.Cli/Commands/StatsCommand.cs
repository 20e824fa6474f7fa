using System.CommandLine;
using System.Globalization;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff stats [--no-stream] [CTR...]</c>.</summary>
public static class StatsCommand
{
    private static readonly Option<bool> NoStream = new("--no-stream") { Description = "Print one sample and exit" };
    private static readonly Option<bool> NoTrunc = new("--no-trunc") { Description = "Don't truncate output" };
    private static readonly Argument<string[]> Containers = new("containers") { Description = "Container names or IDs (default: every running container)", Arity = ArgumentArity.ZeroOrMore };

    public static Command Build()
    {
        var command = new Command("stats", "Display a live stream of containers' resource usage") { NoStream, NoTrunc, Containers };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            var stats = new ContainerStats(engine);
            var references = p.GetValue(Containers) ?? [];
            if (p.GetValue(NoStream))
            {
                Print(stats.Sample(references), p.GetValue(NoTrunc));
                return 0;
            }
            // Until Ctrl-C, redrawn in place like Docker's.
            while (true)
            {
                var rows = stats.Sample(references);
                Console.Write("\u001b[2J\u001b[H");
                Print(rows, p.GetValue(NoTrunc));
                Thread.Sleep(TimeSpan.FromSeconds(1));
            }
        });
        return command;
    }

    private static void Print(IReadOnlyList<StatsRow> rows, bool noTrunc)
    {
        var table = new List<string[]> { new[] { "CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS" } };
        foreach (var r in rows)
        {
            table.Add([
                noTrunc ? r.Id : r.Id[..12], r.Name, Percent(r.CpuPercent),
                $"{HumanSizes.Binary(r.MemoryUsage)} / {HumanSizes.Binary(r.MemoryLimit)}", Percent(r.MemoryPercent),
                $"{HumanSizes.Decimal(r.NetRx)} / {HumanSizes.Decimal(r.NetTx)}",
                $"{HumanSizes.Decimal(r.BlockRead)} / {HumanSizes.Decimal(r.BlockWrite)}",
                r.Pids.ToString(CultureInfo.InvariantCulture),
            ]);
        }
        ImagesCommand.PrintTable(table);
    }

    private static string Percent(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "%";

}
