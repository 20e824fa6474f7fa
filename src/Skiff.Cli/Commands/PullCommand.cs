using System.CommandLine;
using Skiff.Images;
using Skiff.Images.Registry;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff pull NAME[:TAG|@DIGEST]</c>.</summary>
public static class PullCommand
{
    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Suppress progress output" };
    private static readonly Argument<string> Name = new("name") { Description = "The image: NAME[:TAG|@DIGEST]" };

    public static Command Build()
    {
        var command = new Command("pull", "Download an image from a registry") { Quiet, ImageEnvironment.InsecureRegistry, Name };
        command.SetAction(Execute);
        return command;
    }

    private static int Execute(ParseResult p)
    {
        var reference = ImageReference.Parse(p.GetValue(Name)!);
        var quiet = p.GetValue(Quiet);
        PullResult result;
        if (!quiet)
            Console.Error.WriteLine($"Pulling from {reference.FamiliarName}");
        using (var display = new TransferDisplay("Downloading", "Pull complete"))
            result = ImageEnvironment.Transfers(p).Pull(reference, quiet ? null : display.Report);
        if (!quiet)
        {
            Console.WriteLine($"Digest: {result.Digest}");
            Console.WriteLine(result.Downloaded
                ? $"Status: Downloaded newer image for {reference.Familiar}"
                : $"Status: Image is up to date for {reference.Familiar}");
        }
        Console.WriteLine(reference.FullyQualified);
        return 0;
    }
}
