using System.CommandLine;
using System.Globalization;
using Skiff.Cli.Formatting;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff system df</c>.</summary>
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
        return new Command("system", "Manage Skiff") { df };
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
