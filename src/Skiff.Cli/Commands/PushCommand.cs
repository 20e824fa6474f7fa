using System.CommandLine;
using Skiff.Images;
using Skiff.Images.Registry;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff push NAME[:TAG]</c>: uploads a local image under the name it has.</summary>
public static class PushCommand
{
    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Suppress progress output" };
    private static readonly Argument<string> Name = new("name") { Description = "The local image, named for its registry: HOST[:PORT]/NAME[:TAG]" };

    public static Command Build()
    {
        var command = new Command("push", "Upload an image to a registry") { Quiet, ImageEnvironment.InsecureRegistry, Name };
        command.SetAction(Execute);
        return command;
    }

    private static int Execute(ParseResult p)
    {
        var name = p.GetValue(Name)!;
        var target = ImageReference.Parse(name);
        var quiet = p.GetValue(Quiet);
        PushResult result;
        if (!quiet)
            Console.Error.WriteLine($"The push refers to repository [{target.Domain}/{target.Path}]");
        using (var display = new TransferDisplay("Pushing", "Pushed"))
            result = ImageEnvironment.Transfers(p).Push(name, target, quiet ? null : display.Report);
        Console.WriteLine($"{target.Tag ?? ImageReference.DefaultTag}: digest: {result.Digest} size: {result.ManifestSize}");
        return 0;
    }
}
