using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Skiff.Cli.Commands;

public static class VersionCommand
{
    public static Command Build()
    {
        var command = new Command("version", "Show the Skiff version and what it runs on");
        command.SetAction(_ =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev";
            Console.WriteLine($"Skiff version {version}");
            Console.WriteLine($" .NET:         {RuntimeInformation.FrameworkDescription}");
            Console.WriteLine($" OS/Arch:      linux/{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}");
            Console.WriteLine($" Kernel:       {Environment.OSVersion.Version}");
            Console.WriteLine($" Cgroups:      {Skiff.Linux.Cgroups.CgroupLayout.Detect().Mode}");
            return 0;
        });
        return command;
    }
}
