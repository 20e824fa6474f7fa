using System.CommandLine;
using Skiff.Engine;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

public static class CreateCommand
{
    public static Command Build()
    {
        var command = new Command("create", "Create a new container without starting it").WithFlags();
        command.SetAction(p =>
        {
            using var engine = new ContainerEngine(SkiffPaths.FromEnvironment()) { Notices = ContainerFlags.Notice };
            var request = ContainerFlags.ToRequest(p);
            ImagePulling.Ensure(p.GetValue(ImagePulling.Policy)!, request.Image);
            // Docker's create -i: the input of the first attach (start -a -i) is the program's whole stdin.
            Console.WriteLine(engine.Create(request with { StdinOnce = request.Interactive }).Id);
            return 0;
        });
        return command;
    }
}
