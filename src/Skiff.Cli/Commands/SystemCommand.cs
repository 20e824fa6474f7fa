using System.CommandLine;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff system df</c>.</summary>
public static class SystemCommand
{
    public static Command Build()
    {
        var df = new Command("df", "Show disk usage");
        df.SetAction(_ => DiskUsage());
        return new Command("system", "Manage Skiff") { df };
    }

    private static int DiskUsage()
    {
        var users = ImageEnvironment.Users;
        var images = ImageEnvironment.Store().DiskUsage(users);
        var containers = users.ContainersByManifest().Values.Sum();
        var reclaimable = images.Bytes == 0 ? "0B" : $"{HumanSizes.Decimal(images.ReclaimableBytes)} ({100 * images.ReclaimableBytes / images.Bytes}%)";
        ImagesCommand.PrintTable(
        [
            ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"],
            ["Images", images.Images.ToString(), images.ActiveImages.ToString(), HumanSizes.Decimal(images.Bytes), reclaimable],
            ["Containers", containers.ToString(), containers.ToString(), "0B", "0B"],
        ]);
        return 0;
    }
}
