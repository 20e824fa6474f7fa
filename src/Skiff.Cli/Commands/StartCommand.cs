using System.CommandLine;
using Skiff.Engine.Containers;
using Skiff.Engine.Monitor;
using Skiff.Linux;

namespace Skiff.Cli.Commands;

public static class StartCommand
{
    private static readonly Option<bool> Attach = new("--attach", "-a") { Description = "Attach STDOUT/STDERR and forward signals; exit with the container's exit code" };
    private static readonly Option<bool> Interactive = new("--interactive", "-i") { Description = "Attach the container's STDIN" };

    public static Command Build()
    {
        var containers = ContainerArguments.Many();
        var command = new Command("start", "Start one or more stopped containers")
        {
            Attach, Interactive, AttachCommand.DetachKeysOption, AttachCommand.SignalProxy, containers,
        };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            var names = p.GetValue(containers)!;
            // -i attaches too, as in Docker.
            if (p.GetValue(Attach) || p.GetValue(Interactive))
            {
                if (names.Length != 1) throw new InvalidInputException("you cannot start and attach multiple containers at once");
                var options = AttachCommand.Options(p, stdin: p.GetValue(Interactive));
                return AttachCommand.Refused(() => new ContainerAttach(engine).Start(names[0], options));
            }
            return ContainerArguments.ForEach(names, name =>
            {
                MonitorLauncher.Start(engine, engine.Find(name));
                Console.WriteLine(name);
            });
        });
        return command;
    }
}
