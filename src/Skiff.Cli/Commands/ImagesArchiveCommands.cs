using System.CommandLine;
using Skiff.Images;
using Skiff.Images.Archives;
using Skiff.Linux;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff save</c>, <c>skiff load</c> and <c>skiff import</c>: images to and from tar files
/// (or stdin/stdout).</summary>
public static class ImagesArchiveCommands
{
    private static readonly Option<string?> Output = new("--output", "-o") { Description = "Write to this file instead of stdout" };
    private static readonly Argument<string[]> Images = new("image") { Description = "Images to save", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<string?> Input = new("--input", "-i") { Description = "Read from this tar file instead of stdin" };
    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Suppress the load output" };
    private static readonly Option<string[]> Change = new("--change", "-c") { Description = "Apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL)" };
    private static readonly Argument<string> Source = new("file") { Description = "Root filesystem tar, or - for stdin" };
    private static readonly Argument<string?> Name = new("reference") { Description = "Name for the new image", Arity = ArgumentArity.ZeroOrOne };

    public static Command BuildSave()
    {
        var command = new Command("save", "Save images to a tar archive (docker-archive and OCI layout in one)") { Output, Images };
        command.SetAction(p =>
        {
            var path = p.GetValue(Output);
            if (path is null && !Console.IsOutputRedirected)
                throw new InvalidInputException("refusing to write an archive to a terminal: use -o FILE or redirect stdout");
            using var output = path is null ? Console.OpenStandardOutput() : File.Create(path);
            ImageArchiveWriter.Write(ImageEnvironment.Store(), p.GetValue(Images)!, output);
            return 0;
        });
        return command;
    }

    public static Command BuildLoad()
    {
        var command = new Command("load", "Load images from a docker-archive or OCI layout tar") { Input, Quiet };
        command.SetAction(p =>
        {
            using var input = p.GetValue(Input) is { } path ? File.OpenRead(path) : Console.OpenStandardInput();
            var loaded = ImageArchiveReader.Load(ImageEnvironment.Store(), input);
            if (!p.GetValue(Quiet))
                foreach (var name in loaded)
                    Console.WriteLine(name.StartsWith(Digest.Sha256Prefix, StringComparison.Ordinal) ? $"Loaded image ID: {name}" : $"Loaded image: {name}");
            return 0;
        });
        return command;
    }

    public static Command BuildImport()
    {
        var command = new Command("import", "Create an image from a root filesystem tar") { Change, Source, Name };
        command.SetAction(p =>
        {
            var source = p.GetValue(Source)!;
            var name = p.GetValue(Name) is { } n ? ImageReference.Parse(n) : null;
            using var input = source == "-" ? Console.OpenStandardInput() : File.OpenRead(source);
            var id = RootfsImporter.Import(ImageEnvironment.Store(), input, name, p.GetValue(Change) ?? [], source);
            Console.WriteLine(id);
            return 0;
        });
        return command;
    }
}
