using System.CommandLine;
using Skiff.Engine.Containers;
using Skiff.Linux;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff export CTR [-o FILE]</c>.</summary>
public static class ExportCommand
{
    private static readonly Option<string?> Output = new("--output", "-o") { Description = "Write to a file instead of stdout" };
    private static readonly Argument<string> Container = new("container") { Description = "Container name or ID" };

    public static Command Build()
    {
        var command = new Command("export", "Export a container's filesystem as a tar archive") { Output, Container };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            var output = p.GetValue(Output);
            if (output is null && !Console.IsOutputRedirected)
                throw new InvalidInputException("refusing to write a tar archive to a terminal: use -o FILE or redirect stdout");
            var fs = new ContainerFilesystem(engine);
            if (output is null)
            {
                using var stdout = Console.OpenStandardOutput();
                fs.Export(p.GetValue(Container)!, stdout);
                return 0;
            }
            // Written beside the target and renamed, so a failed export leaves no half archive under the name.
            var temp = output + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
            try
            {
                using (var file = File.Create(temp))
                    fs.Export(p.GetValue(Container)!, file);
                File.Move(temp, output, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }
            return 0;
        });
        return command;
    }
}
