using System.CommandLine;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff tag SOURCE TARGET</c>.</summary>
public static class TagCommand
{
    private static readonly Argument<string> Source = new("source") { Description = "Existing image name or id" };
    private static readonly Argument<string> Target = new("target") { Description = "New name: [HOST[:PORT]/]NAME[:TAG]" };

    public static Command Build()
    {
        var command = new Command("tag", "Give an image another name") { Source, Target };
        command.SetAction(p =>
        {
            ImageEnvironment.Store().Tag(p.GetValue(Source)!, p.GetValue(Target)!);
            return 0;
        });
        return command;
    }
}
