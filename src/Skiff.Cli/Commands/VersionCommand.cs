using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Skiff.Cli.Formatting;

namespace Skiff.Cli.Commands;

public static class VersionCommand
{
    private static readonly Option<string?> Format = new("--format", "-f") { Description = "Format output using a custom template: 'json' or a Go template over {{.Client}} and {{.Server}}" };

    public static Command Build()
    {
        var command = new Command("version", "Show the Skiff version and what it runs on") { Format };
        command.SetAction(p =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev";
            var arch = RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
            var kernel = Environment.OSVersion.Version.ToString();
            var cgroups = Skiff.Linux.Cgroups.CgroupLayout.Detect().Mode.ToString();
            if (p.GetValue(Format) is { Length: > 0 } format)
            {
                TemplateOutput.Print(format, "version", Document(version, arch, kernel, cgroups));
                return 0;
            }
            Console.WriteLine($"Skiff version {version}");
            Console.WriteLine($" .NET:         {RuntimeInformation.FrameworkDescription}");
            Console.WriteLine($" OS/Arch:      linux/{arch}");
            Console.WriteLine($" Kernel:       {kernel}");
            Console.WriteLine($" Cgroups:      {cgroups}");
            return 0;
        });
        return command;
    }

    /// <summary>Docker's version document: Skiff has no daemon, so the engine that answers is this binary, in both halves.</summary>
    private static JsonObject Document(string version, string arch, string kernel, string cgroups)
    {
        var number = version.Split('+')[0];
        var commit = version.Contains('+') ? version[(version.IndexOf('+') + 1)..] : "";
        JsonObject Half() => new()
        {
            ["Platform"] = new JsonObject { ["Name"] = "Skiff" },
            ["Version"] = number,
            ["ApiVersion"] = "1.41",
            ["GitCommit"] = commit.Length > 7 ? commit[..7] : commit,
            ["GoVersion"] = RuntimeInformation.FrameworkDescription,
            ["Os"] = "linux",
            ["Arch"] = arch,
            ["KernelVersion"] = kernel,
            ["Cgroups"] = cgroups,
        };
        return new JsonObject { ["Client"] = Half(), ["Server"] = Half() };
    }
}
