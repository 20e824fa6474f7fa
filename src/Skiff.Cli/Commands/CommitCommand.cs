using System.CommandLine;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff commit CTR [IMAGE[:TAG]]</c>.</summary>
public static class CommitCommand
{
    private static readonly Option<string[]> Change = new("--change", "-c") { Description = "Apply a Dockerfile instruction to the image's config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL)" };
    private static readonly Option<string?> Message = new("--message", "-m") { Description = "Commit message" };
    private static readonly Option<string?> Author = new("--author", "-a") { Description = "Author (e.g. \"Jane Doe <jane@example.com>\")" };
    private static readonly Option<bool> Pause = new("--pause", "-p") { Description = "Pause the container while committing", DefaultValueFactory = _ => true };
    private static readonly Argument<string> Container = new("container") { Description = "Container name or ID" };
    private static readonly Argument<string?> Image = new("image") { Description = "Name of the new image: NAME[:TAG]", Arity = ArgumentArity.ZeroOrOne };

    public static Command Build()
    {
        var command = new Command("commit", "Create a new image from a container's changes") { Change, Message, Author, Pause, Container, Image };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            var request = new CommitRequest(p.GetValue(Image), p.GetValue(Change) ?? [], p.GetValue(Message), p.GetValue(Author), p.GetValue(Pause));
            Console.WriteLine(new ContainerCommit(engine).Commit(p.GetValue(Container)!, request));
            return 0;
        });
        return command;
    }
}
