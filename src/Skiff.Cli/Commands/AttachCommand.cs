using System.CommandLine;
using Skiff.Engine.Containers;
using Skiff.Engine.Monitor;
using Skiff.Engine.State;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff attach</c>, and the attach flags <c>start</c> shares.</summary>
public static class AttachCommand
{
    private static readonly Option<bool> NoStdin = new("--no-stdin") { Description = "Do not attach STDIN" };
    public static readonly Option<bool> SignalProxy = new("--sig-proxy") { Description = "Proxy all received signals to the process (without a TTY)", DefaultValueFactory = _ => true };
    public static readonly Option<string> DetachKeysOption = new("--detach-keys") { Description = "Override the key sequence for detaching a container", DefaultValueFactory = _ => DetachKeys.Default };

    public static Command Build()
    {
        var container = new Argument<string>("container") { Description = "Container name or ID" };
        var command = new Command("attach", "Attach local standard input, output, and error streams to a running container") { NoStdin, SignalProxy, DetachKeysOption, container };
        command.SetAction(p =>
        {
            var options = Options(p, stdin: !p.GetValue(NoStdin));
            using var engine = ContainerArguments.Engine();
            return Refused(() => new ContainerAttach(engine).Attach(p.GetValue(container)!, options));
        });
        return command;
    }

    public static AttachOptions Options(ParseResult p, bool stdin) =>
        new(stdin, p.GetValue(SignalProxy), DetachKeys.Parse(p.GetValue(DetachKeysOption)!));

    /// <summary>Docker exits 1, not 125, when the container is in no state to be attached.</summary>
    public static int Refused(Func<int> attach)
    {
        try
        {
            return attach();
        }
        catch (ConflictException e)
        {
            Console.Error.WriteLine($"skiff: {e.Message}");
            return 1;
        }
    }
}
