using System.CommandLine;
using Skiff.Engine.Containers;
using Skiff.Linux;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff cp CTR:PATH HOSTPATH|-</c> and <c>skiff cp HOSTPATH|- CTR:PATH</c>.</summary>
public static class CpCommand
{
    private static readonly Argument<string> Source = new("source") { Description = "CONTAINER:PATH, a host path, or - for a tar stream on stdin" };
    private static readonly Argument<string> Destination = new("destination") { Description = "CONTAINER:PATH, a host path, or - for a tar stream on stdout" };

    public static Command Build()
    {
        var command = new Command("cp", "Copy files between a container and the host (modes kept)") { Source, Destination };
        command.SetAction(p =>
        {
            var (source, destination) = (p.GetValue(Source)!, p.GetValue(Destination)!);
            var (fromContainer, toContainer) = (ContainerPath(source), ContainerPath(destination));
            using var engine = ContainerArguments.Engine();
            var fs = new ContainerFilesystem(engine);
            switch (fromContainer, toContainer)
            {
                case ({ } from, null) when destination == "-":
                    using (var stdout = Console.OpenStandardOutput())
                        fs.CopyOut(from.Container, from.Path, stdout);
                    break;
                case ({ } from, null):
                    fs.CopyOut(from.Container, from.Path, destination);
                    break;
                case (null, { } to) when source == "-":
                    using (var stdin = Console.OpenStandardInput())
                        fs.CopyIn(to.Container, stdin, to.Path);
                    break;
                case (null, { } to):
                    fs.CopyIn(to.Container, source, to.Path);
                    break;
                case (null, null):
                    throw new InvalidInputException("copying between two host paths: one of source and destination must be CONTAINER:PATH");
                default:
                    throw new InvalidInputException("copying between two containers is not supported: copy to the host first");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Docker's reading: "name:path" is in a container unless it starts like a local path.</summary>
    private static (string Container, string Path)? ContainerPath(string argument)
    {
        if (argument.StartsWith('/') || argument.StartsWith('.'))
            return null;
        var colon = argument.IndexOf(':');
        if (colon <= 0)
            return null;
        var path = argument[(colon + 1)..];
        return (argument[..colon], path.Length == 0 ? "/" : path);
    }
}
