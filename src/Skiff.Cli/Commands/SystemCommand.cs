using System.CommandLine;
using System.Globalization;
using Skiff.Cli.Formatting;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff system df</c> and <c>skiff system repair</c>.</summary>
public static class SystemCommand
{
    private static readonly Option<string?> Format = ListFormat.FormatOption();

    private const string DefaultFormat = "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}";

    /// <summary>The fields of Docker's system df rows and their headers.</summary>
    private static readonly Column[] Columns =
    [
        new("Type", "TYPE"), new("TotalCount", "TOTAL"), new("Active", "ACTIVE"), new("Size", "SIZE"), new("Reclaimable", "RECLAIMABLE"),
    ];

    public static Command Build()
    {
        var df = new Command("df", "Show disk usage") { Format };
        df.SetAction(p => DiskUsage(p.GetValue(Format)));
        var clean = new Option<bool>("--clean") { Description = "Also remove what cannot be rebuilt (its processes, cgroup, interface and files)" };
        var repair = new Command("repair", "Rebuild the state database from the container directories and the running containers") { clean };
        repair.SetAction(p => Repair(p.GetValue(clean)));
        return new Command("system", "Manage Skiff") { df, repair };
    }

    private static int Repair(bool clean)
    {
        using var engine = ContainerArguments.Engine();
        var report = engine.Repair(clean);
        if (report.SetAside is { } aside) Console.WriteLine($"the damaged database was moved to {aside}");
        foreach (var network in report.Networks) Console.WriteLine($"network {network}: restored");
        foreach (var c in report.Containers)
        {
            var addresses = string.Join(", ", c.Endpoints.Select(e => $"{e.Network} {e.Address}{(e.Ports.Count > 0 ? " ports " + string.Join(' ', e.Ports.Select(p => $"{p.HostPort}->{p.ContainerPort}/{p.Protocol}")) : "")}"));
            Console.WriteLine($"container {c.Name} ({c.Id[..12]}): restored, {c.Status.ToString().ToLowerInvariant()}{(addresses.Length > 0 ? ", " + addresses : "")}");
        }
        foreach (var l in report.Lost)
            Console.WriteLine($"{l.Path}: cannot be rebuilt ({l.Reason}); {(l.Cleaned ? "removed" : "left as it is: `skiff system repair --clean` removes it")}");
        if (report.ImageLeftoverBytes > 0) Console.WriteLine($"image store: {HumanSizes.Decimal(report.ImageLeftoverBytes.Value)} left by interrupted pulls, loads, commits and builds removed");
        Console.WriteLine($"{report.Containers.Count} containers and {report.Networks.Count} networks restored, {report.Lost.Count} {(clean ? "removed" : "left")} that cannot be rebuilt");
        return 0;
    }

    private static int DiskUsage(string? formatText)
    {
        var format = new ListFormat(formatText, DefaultFormat, Columns, "*formatter.diskUsageContext");
        var users = ImageEnvironment.Users;
        var images = ImageEnvironment.Store().DiskUsage(users);
        var containers = users.ContainersByManifest().Values.Sum().ToString(CultureInfo.InvariantCulture);
        var reclaimable = images.Bytes == 0 ? "0B" : $"{HumanSizes.Decimal(images.ReclaimableBytes)} ({100 * images.ReclaimableBytes / images.Bytes}%)";
        string[][] rows =
        [
            ["Images", images.Images.ToString(CultureInfo.InvariantCulture), images.ActiveImages.ToString(CultureInfo.InvariantCulture), HumanSizes.Decimal(images.Bytes), reclaimable],
            ["Containers", containers, containers, "0B", "0B"],
        ];
        format.Print(Console.Out, rows.Select(r => format.Row(field => r[Array.FindIndex(Columns, c => c.Field == field)])));
        return 0;
    }
}
