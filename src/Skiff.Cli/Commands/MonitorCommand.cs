using System.CommandLine;
using Skiff.Engine.Monitor;

namespace Skiff.Cli.Commands;

/// <summary>The hidden verb a background container's monitor runs as.</summary>
public static class MonitorCommand
{
    public static Command Build()
    {
        var id = new Argument<string>("id");
        var command = new Command(MonitorLauncher.Verb, "Monitor a container (internal)") { id };
        command.Hidden = true;
        command.SetAction(p => MonitorLauncher.RunMonitor(p.GetValue(id)!));
        return command;
    }
}
