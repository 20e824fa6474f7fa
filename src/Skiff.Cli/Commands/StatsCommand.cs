using System.CommandLine;
using System.Globalization;
using Skiff.Cli.Formatting;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff stats [--no-stream] [CTR...]</c>.</summary>
public static class StatsCommand
{
    private static readonly Option<bool> NoStream = new("--no-stream") { Description = "Print one sample and exit" };
    private static readonly Option<bool> NoTrunc = new("--no-trunc") { Description = "Don't truncate output" };
    private static readonly Option<string?> Format = ListFormat.FormatOption();
    private static readonly Argument<string[]> Containers = new("containers") { Description = "Container names or IDs (default: every running container)", Arity = ArgumentArity.ZeroOrMore };

    public static Command Build()
    {
        var command = new Command("stats", "Display a live stream of containers' resource usage") { NoStream, NoTrunc, Format, Containers };
        command.SetAction(p =>
        {
            var format = new ListFormat(p.GetValue(Format), DefaultFormat, Columns, "*formatter.statsContext");
            using var engine = ContainerArguments.Engine();
            var stats = new ContainerStats(engine);
            var references = p.GetValue(Containers) ?? [];
            if (p.GetValue(NoStream))
            {
                Print(stats.Sample(references), p.GetValue(NoTrunc), format);
                return 0;
            }
            // Until Ctrl-C, redrawn in place like Docker's.
            while (true)
            {
                var rows = stats.Sample(references);
                Console.Write("\u001b[2J\u001b[H");
                Print(rows, p.GetValue(NoTrunc), format);
                Thread.Sleep(TimeSpan.FromSeconds(1));
            }
        });
        return command;
    }

    private const string DefaultFormat = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

    /// <summary>The fields of Docker's stats rows (its formatter.statsContext) and their headers.</summary>
    private static readonly Column[] Columns =
    [
        new("ID", "CONTAINER ID"), new("Name", "NAME"), new("Container", "CONTAINER"), new("CPUPerc", "CPU %"),
        new("MemUsage", "MEM USAGE / LIMIT"), new("MemPerc", "MEM %"), new("NetIO", "NET I/O"), new("BlockIO", "BLOCK I/O"), new("PIDs", "PIDS"),
    ];

    private static void Print(IReadOnlyList<StatsRow> rows, bool noTrunc, ListFormat format)
    {
        var output = new StringWriter();
        format.Print(output, rows.Select(r => format.Row(field => field switch
        {
            "ID" => noTrunc ? r.Id : r.Id[..12],
            "Name" => r.Name,
            "Container" => r.Name,
            "CPUPerc" => Percent(r.CpuPercent),
            "MemUsage" => $"{HumanSizes.Binary(r.MemoryUsage)} / {HumanSizes.Binary(r.MemoryLimit)}",
            "MemPerc" => Percent(r.MemoryPercent),
            "NetIO" => $"{HumanSizes.Decimal(r.NetRx)} / {HumanSizes.Decimal(r.NetTx)}",
            "BlockIO" => $"{HumanSizes.Decimal(r.BlockRead)} / {HumanSizes.Decimal(r.BlockWrite)}",
            "PIDs" => r.Pids.ToString(CultureInfo.InvariantCulture),
            _ => "",
        })));
        Console.Write(output.ToString());
    }

    private static string Percent(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "%";

}
