using Skiff.Linux;
using System.CommandLine;
using Skiff.Engine.Build;
using Skiff.Engine.Networks;
using Skiff.Images;
using Skiff.Images.Registry;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff build [OPTIONS] CONTEXT</c> and <c>skiff builder prune</c>.</summary>
public static class BuildCommand
{
    private static readonly Option<string[]> Tag = new("--tag", "-t") { Description = "Name the image: NAME[:TAG] (may be given more than once)" };
    private static readonly Option<string?> File = new("--file", "-f") { Description = "The Dockerfile (default: CONTEXT/Dockerfile; '-' reads it from stdin)" };
    private static readonly Option<string[]> BuildArg = new("--build-arg") { Description = "Set a build-time variable: KEY=VALUE (KEY alone takes it from the environment)" };
    private static readonly Option<string?> Target = new("--target") { Description = "Build this stage (and those it needs) only" };
    private static readonly Option<bool> NoCache = new("--no-cache") { Description = "Do not use the build cache" };
    private static readonly Option<bool> Pull = new("--pull") { Description = "Pull every FROM image before using it" };
    private static readonly Option<string> Network = new("--network") { Description = "Network of the RUN steps: bridge (default), none, host or a network's name", DefaultValueFactory = _ => "bridge" };
    private static readonly Option<string> Progress = new("--progress") { Description = "Progress output: auto, plain or quiet", DefaultValueFactory = _ => "auto" };
    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Print only the image id" };
    private static readonly Option<string?> IidFile = new("--iidfile") { Description = "Write the image id to this file" };
    private static readonly Argument<string> ContextPath = new("context") { Description = "The build context: a directory, or '-' for a Dockerfile on stdin and no files" };
    private static readonly Option<bool> PruneAll = new("--all", "-a") { Description = "Remove all build cache (the only kind Skiff keeps)" };
    private static readonly Option<bool> PruneForce = new("--force", "-f") { Description = "Do not prompt for confirmation" };

    public static Command Build()
    {
        var command = new Command("build", "Build an image from a Dockerfile")
        {
            Tag, File, BuildArg, Target, NoCache, Pull, Network, Progress, Quiet, IidFile, ImageEnvironment.InsecureRegistry, ContextPath,
        };
        command.SetAction(Execute);
        return command;
    }

    public static Command BuildBuilder()
    {
        var prune = new Command("prune", "Remove the build cache") { PruneAll, PruneForce };
        prune.SetAction(_ =>
        {
            var (entries, reclaimed) = ImageBuilder.Prune(ImageEnvironment.Store(), ImageEnvironment.Users);
            Console.WriteLine($"Deleted build cache objects: {entries}");
            Console.WriteLine($"Total reclaimed space: {HumanSizes.Decimal(reclaimed)}");
            return 0;
        });
        return new Command("builder", "Manage the build cache") { prune };
    }

    private static int Execute(ParseResult p)
    {
        var context = p.GetValue(ContextPath)!;
        var progressMode = p.GetValue(Progress);
        if (progressMode is not ("auto" or "plain" or "quiet" or "tty"))
            throw new InvalidInputException($"invalid --progress={progressMode}: use auto, plain or quiet");
        var quiet = p.GetValue(Quiet) || progressMode == "quiet";
        var (dockerfile, dockerfileName) = ReadDockerfile(p.GetValue(File), context);
        var network = NetworkSyntax.Parse([p.GetValue(Network)!]);
        if (network.Container is not null)
            throw new InvalidInputException("--network container:NAME is not available to build steps: use bridge, none, host or a network's name");
        var puller = p.GetValue(Pull) ? ImageEnvironment.Transfers(p).Puller() : null;
        var request = new BuildRequest
        {
            Dockerfile = dockerfile,
            DockerfileName = dockerfileName,
            ContextDirectory = context == "-" ? null : context,
            Tags = p.GetValue(Tag) ?? [],
            BuildArgs = BuildArgs(p.GetValue(BuildArg) ?? []),
            Target = p.GetValue(Target),
            NoCache = p.GetValue(NoCache),
            Network = network,
            PullBase = puller is null ? null : name => puller.Pull(ImageReference.Parse(name), null),
        };
        using var engine = ContainerArguments.Engine();
        var result = new ImageBuilder(engine, quiet ? BuildProgress.Quiet : new BuildProgress(Console.Error)).Build(request);
        if (result.UnusedBuildArgs.Count > 0)
            Console.Error.WriteLine($"[Warning] One or more build-args [{string.Join(' ', result.UnusedBuildArgs)}] were not consumed");
        if (p.GetValue(IidFile) is { } iidFile)
            System.IO.File.WriteAllText(iidFile, result.ImageId.ToString());
        if (quiet)
            Console.WriteLine(result.ImageId);
        return 0;
    }

    private static (string Text, string Name) ReadDockerfile(string? file, string context)
    {
        if (file == "-" || (file is null && context == "-"))
        {
            if (file == "-" && context == "-")
                throw new InvalidInputException("the Dockerfile and the context cannot both come from stdin: give a context directory or -f FILE");
            return (Console.In.ReadToEnd(), "-");
        }
        var path = file ?? Path.Join(context, "Dockerfile");
        if (!System.IO.File.Exists(path))
            throw new InvalidInputException(file is null
                ? $"no Dockerfile in the build context {context}: create {path} or name one with -f FILE"
                : $"Dockerfile {file} not found: check the path given to -f");
        return (System.IO.File.ReadAllText(path), Path.GetFileName(path));
    }

    // Docker's --build-arg: KEY=VALUE, or KEY alone to take the value from our environment (skipped when unset).
    private static Dictionary<string, string> BuildArgs(IEnumerable<string> values)
    {
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var eq = value.IndexOf('=');
            if (eq == 0)
                throw new InvalidInputException($"invalid --build-arg {value}: write KEY=VALUE");
            if (eq > 0)
                args[value[..eq]] = value[(eq + 1)..];
            else if (Environment.GetEnvironmentVariable(value) is { } fromEnv)
                args[value] = fromEnv;
        }
        return args;
    }
}
