using Skiff.Engine;
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.Cli.Formatting;
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
    private static readonly Option<string[]> Filter = new("--filter", "-f") { Description = "Filter output based on conditions provided: status=, name=, id=, label=KEY[=VALUE]" };
    private static readonly Option<string?> Format = ListFormat.FormatOption();
    private static readonly Option<int> Last = new("--last", "-n") { Description = "Show n last created containers (includes all states)", DefaultValueFactory = _ => -1 };
    private static readonly Option<bool> Latest = new("--latest", "-l") { Description = "Show the latest created container (includes all states)" };

    private const string DefaultFormat = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

    /// <summary>The fields of Docker's ps rows (its formatter.ContainerContext) and their headers.</summary>
    private static readonly Column[] Columns =
    [
        new("ID", "CONTAINER ID"), new("Image", "IMAGE"), new("Command", "COMMAND"), new("CreatedAt", "CREATED AT"),
        new("RunningFor", "CREATED"), new("Ports", "PORTS"), new("State", "STATE"), new("Status", "STATUS"),
        new("Size", "SIZE"), new("Names", "NAMES"), new("Labels", "LABELS"), new("Mounts", "MOUNTS"),
        new("Networks", "NETWORKS"), new("LocalVolumes", "LOCAL VOLUMES"),
    ];

    public static Command Build()
    {
        var command = new Command("ps", "List containers") { All, Quiet, NoTrunc, Filter, Format, Last, Latest };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            var filters = (p.GetValue(Filter) ?? []).Select(ParseFilter).ToList();
            // -n and -l count created containers in any state, as Docker's do; newest first, as Docker lists.
            var last = p.GetValue(Latest) ? 1 : p.GetValue(Last);
            var showAll = p.GetValue(All) || last > 0 || filters.Any(f => f.Key == "status");
            var containers = engine.List()
                .OrderByDescending(c => c.Created)
                .Where(c => showAll || c.Status is ContainerStatus.Running or ContainerStatus.Restarting or ContainerStatus.Paused)
                .Where(c => filters.All(f => Matches(c, f.Key, f.Value)))
                .Take(last > 0 ? last : int.MaxValue)
                .ToList();
            var noTrunc = p.GetValue(NoTrunc);
            var format = p.GetValue(Quiet) ? null : new ListFormat(p.GetValue(Format), DefaultFormat, Columns, "*formatter.ContainerContext",
                "failed to parse template", "failed to execute template");
            if (format is null)
            {
                foreach (var c in containers) Console.WriteLine(noTrunc ? c.Id : c.ShortId);
                return 0;
            }
            var now = DateTime.UtcNow;
            var ports = PublishedPorts.Current(engine);
            format.Print(Console.Out, containers.Select(c => format.Row(Fields(c, now, noTrunc, ports))));
            return 0;
        });
        return command;
    }

    private static KeyValuePair<string, string> ParseFilter(string filter) =>
        filter.Split('=', 2) is [var key, var value] && key is "status" or "name" or "id" or "label"
            ? new(key, value)
            : throw new InvalidInputException($"invalid filter \"{filter}\": use status=STATE, name=NAME, id=ID or label=KEY[=VALUE]");

    private static bool Matches(ContainerRecord c, string key, string value) => key switch
    {
        "status" => ContainerSummary.State(c) == value,
        "name" => c.Name.Contains(value, StringComparison.Ordinal),
        "label" => ImageLabels.Matches(c.Request.Labels, value),
        _ => c.Id.StartsWith(value, StringComparison.Ordinal),
    };

    private static Func<string, JsonNode?> Fields(ContainerRecord c, DateTime now, bool noTrunc, ILookup<string, Skiff.Network.PortBinding> ports) => field => field switch
    {
        "ID" => noTrunc ? c.Id : c.ShortId,
        "Image" => c.Image,
        "Command" => Quoted(ContainerSummary.Command(c), noTrunc),
        "CreatedAt" => c.Created.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " +0000 UTC",
        "RunningFor" => ContainerSummary.HumanDuration(now - c.Created) + " ago",
        "Status" => ContainerSummary.StatusText(c, now),
        "State" => ContainerSummary.State(c),
        "Ports" => c.Status is ContainerStatus.Running or ContainerStatus.Paused ? PortText.Column([.. ports[c.Id]], PublishedPorts.Exposed(c.Request)) : "",
        "Names" => c.Name,
        "Size" => "0B",
        "Labels" => string.Join(',', c.Request.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")),
        "Mounts" => string.Join(',', c.Request.Mounts.Where(m => m.Source is not null).Select(m => m.Source)),
        "Networks" => string.Join(',', NetworkNames(c.Request)),
        "LocalVolumes" => c.Request.Mounts.Count(m => m.Type == MountType.Volume).ToString(CultureInfo.InvariantCulture),
        _ => "",
    };

    private static string Quoted(string command, bool noTrunc) =>
        "\"" + (noTrunc || command.Length <= 20 ? command : command[..19] + "…") + "\"";

    private static IEnumerable<string> NetworkNames(RunRequest request) => request.Network switch
    {
        NetworkMode.Bridge => request.Networks.Count > 0 ? request.Networks.Select(n => n.Network) : ["bridge"],
        NetworkMode.Container => ["container:" + request.NetworkContainer],
        var mode => [mode.ToString().ToLowerInvariant()],
    };
}
