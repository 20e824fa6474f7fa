using System.CommandLine;
using Skiff.Engine.Containers;
using Skiff.Engine.Networks;
using Skiff.Network.Ports;
using Skiff.Engine.State;
using Skiff.Linux;

namespace Skiff.Cli.Commands;

public static class PsCommand
{
    private static readonly Option<bool> All = new("--all", "-a") { Description = "Show all containers (default shows just running)" };
    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Only display container IDs" };
    private static readonly Option<bool> NoTrunc = new("--no-trunc") { Description = "Don't truncate output" };
    private static readonly Option<string[]> Filter = new("--filter", "-f") { Description = "Filter: status=, name=, id=" };
    private static readonly Option<string?> Format = new("--format") { Description = "Go-template-like format, e.g. '{{.ID}} {{.Names}}' or 'table {{.Names}}\\t{{.Status}}'" };

    private const string DefaultFormat = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedAt}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

    private static readonly Dictionary<string, string> Headers = new()
    {
        ["ID"] = "CONTAINER ID", ["Image"] = "IMAGE", ["Command"] = "COMMAND", ["CreatedAt"] = "CREATED",
        ["RunningFor"] = "CREATED", ["Status"] = "STATUS", ["State"] = "STATE", ["Ports"] = "PORTS", ["Names"] = "NAMES",
    };

    public static Command Build()
    {
        var command = new Command("ps", "List containers") { All, Quiet, NoTrunc, Filter, Format };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            var filters = (p.GetValue(Filter) ?? []).Select(ParseFilter).ToList();
            var showAll = p.GetValue(All) || filters.Any(f => f.Key == "status");
            var containers = engine.List()
                .Where(c => showAll || c.Status is ContainerStatus.Running or ContainerStatus.Restarting or ContainerStatus.Paused)
                .Where(c => filters.All(f => Matches(c, f.Key, f.Value)))
                .ToList();
            var noTrunc = p.GetValue(NoTrunc);
            if (p.GetValue(Quiet))
            {
                foreach (var c in containers) Console.WriteLine(noTrunc ? c.Id : c.ShortId);
                return 0;
            }
            var format = p.GetValue(Format) ?? DefaultFormat;
            var now = DateTime.UtcNow;
            var ports = PublishedPorts.Current(engine);
            var rows = containers.Select(c => Fields(c, now, noTrunc, ports)).ToList();
            if (format.StartsWith("table", StringComparison.Ordinal))
                PrintTable(format["table".Length..].Trim(), rows);
            else
                foreach (var row in rows) Console.WriteLine(Render(format, row));
            return 0;
        });
        return command;
    }

    private static KeyValuePair<string, string> ParseFilter(string filter) =>
        filter.Split('=', 2) is [var key, var value] && key is "status" or "name" or "id"
            ? new(key, value)
            : throw new InvalidInputException($"invalid filter \"{filter}\": use status=STATE, name=NAME or id=ID");

    private static bool Matches(ContainerRecord c, string key, string value) => key switch
    {
        "status" => ContainerSummary.State(c) == value,
        "name" => c.Name.Contains(value, StringComparison.Ordinal),
        _ => c.Id.StartsWith(value, StringComparison.Ordinal),
    };

    private static Dictionary<string, string> Fields(ContainerRecord c, DateTime now, bool noTrunc, ILookup<string, Skiff.Network.PortBinding> ports)
    {
        var command = ContainerSummary.Command(c);
        return new()
        {
            ["ID"] = noTrunc ? c.Id : c.ShortId,
            ["Image"] = c.Image,
            ["Command"] = "\"" + (noTrunc || command.Length <= 20 ? command : command[..19] + "…") + "\"",
            ["CreatedAt"] = ContainerSummary.HumanDuration(now - c.Created) + " ago",
            ["RunningFor"] = ContainerSummary.HumanDuration(now - c.Created),
            ["Status"] = ContainerSummary.StatusText(c, now),
            ["State"] = ContainerSummary.State(c),
            ["Ports"] = c.Status is ContainerStatus.Running or ContainerStatus.Paused ? PortText.Column([.. ports[c.Id]], PublishedPorts.Exposed(c.Request)) : "",
            ["Names"] = c.Name,
        };
    }

    private static string Render(string format, IReadOnlyDictionary<string, string> fields)
    {
        var text = format.Replace("\\t", "\t").Replace("\\n", "\n");
        foreach (var (key, value) in fields) text = text.Replace("{{." + key + "}}", value);
        return text;
    }

    /// <summary>Columns padded like Docker's tabwriter: at least three spaces between them.</summary>
    private static void PrintTable(string format, List<Dictionary<string, string>> rows)
    {
        var header = Headers.Aggregate(format.Replace("\\t", "\t"), (t, h) => t.Replace("{{." + h.Key + "}}", h.Value));
        var lines = rows.Select(r => Render(format, r)).Prepend(header).Select(l => l.Split('\t')).ToList();
        var widths = Enumerable.Range(0, lines.Max(l => l.Length))
            .Select(i => lines.Max(l => i < l.Length ? l[i].Length : 0)).ToList();
        foreach (var cells in lines)
            Console.WriteLine(string.Join("", cells.Select((cell, i) => i == cells.Length - 1 ? cell : cell.PadRight(widths[i] + 3))).TrimEnd());
    }
}
