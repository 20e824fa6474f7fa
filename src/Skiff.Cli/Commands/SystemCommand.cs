using System.CommandLine;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff system df</c> and <c>skiff system repair</c>.</summary>
public static class SystemCommand
{
    public static Command Build()
    {
        var df = new Command("df", "Show disk usage");
        df.SetAction(_ => DiskUsage());
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
        Console.WriteLine($"{report.Containers.Count} containers and {report.Networks.Count} networks restored, {report.Lost.Count} {(clean ? "removed" : "left")} that cannot be rebuilt");
        return 0;
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
