using System.CommandLine;
using Skiff.Engine.Monitor;

namespace Skiff.Cli.Commands;

public static class StartCommand
{
    private static readonly Option<bool> Attach = new("--attach", "-a") { Description = "Follow the container's output and exit with its exit code" };
    private static readonly Option<bool> Interactive = new("--interactive", "-i") { Description = "Attach stdin (not supported for background containers yet)" };

    public static Command Build()
    {
        var containers = ContainerArguments.Many();
        var command = new Command("start", "Start one or more stopped containers") { Attach, Interactive, containers };
        command.SetAction(p =>
        {
            if (p.GetValue(Interactive))
                throw new ArgumentException("start -i is not supported yet: use `skiff run -i` for an interactive container");
            using var engine = ContainerArguments.Engine();
            var names = p.GetValue(containers)!;
            if (p.GetValue(Attach))
            {
                if (names.Length != 1) throw new ArgumentException("you cannot start and attach multiple containers at once");
                var record = engine.Find(names[0]);
                var logStart = DateTime.UtcNow;
                MonitorLauncher.Start(engine, record);
                LogsCommand.Print(engine, record.Id, follow: true, tail: null, timestamps: false, since: logStart.AddSeconds(-1));
                return engine.WaitForExit(record.Id).ExitCode;
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
