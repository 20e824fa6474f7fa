using System.CommandLine;
using Skiff.Engine.Containers;
using Skiff.Network.Ports;
using Skiff.Linux;

namespace Skiff.Cli.Commands;

/// <summary>`skiff port CTR [PRIVATE_PORT[/PROTO]]`: the host ports a container's ports are published on.</summary>
public static class PortCommand
{
    public static Command Build()
    {
        var container = new Argument<string>("container") { Description = "Container name or ID" };
        var port = new Argument<string?>("port") { Description = "A container port, PORT[/PROTO]", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("port", "List port mappings or a specific mapping for the container") { container, port };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            var record = engine.Find(p.GetValue(container)!);
            var only = p.GetValue(port) is { } text
                ? ExposedPort.Parse(text).ToList() is [var one] ? one : throw new InvalidInputException($"\"{text}\" is a range: give one port, PORT[/PROTO]")
                : (ExposedPort?)null;
            var lines = PortText.Lines([.. PublishedPorts.Current(engine)[record.Id]], only);
            if (only is { } o && lines.Count == 0)
            {
                Console.Error.WriteLine($"Error: No public port '{o}' published for {record.Name}");
                return 1;
            }
            foreach (var line in lines) Console.WriteLine(line);
            return 0;
        });
        return command;
    }
}
