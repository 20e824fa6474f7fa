using System.CommandLine;
using Skiff.Cli.Commands;
using Skiff.Images;
using Skiff.Linux;
using Skiff.Runtime;
using Skiff.Runtime.Cgroups;

namespace Skiff.Cli;

public static class SkiffCli
{
    /// <summary>
    /// Every verb, by name. Building a verb's options costs start-up time, and `skiff run` is on the
    /// container start path, so <see cref="Build"/> builds only the verb being run (all of them for help).
    /// </summary>
    private static readonly (string Name, Func<Command> Build)[] Verbs =
    [
        ("run", RunCommand.Build),
        ("create", CreateCommand.Build),
        ("start", StartCommand.Build),
        ("attach", AttachCommand.Build),
        ("ps", PsCommand.Build),
        ("logs", LogsCommand.Build),
        ("stop", StopCommand.Build),
        ("kill", KillCommand.Build),
        ("restart", RestartCommand.Build),
        ("rm", RmCommand.Build),
        ("wait", WaitCommand.Build),
        ("inspect", InspectCommand.Build),
        ("exec", ExecCommand.Build),
        ("version", VersionCommand.Build),
        ("network", NetworkCommand.Build),
        ("pull", PullCommand.Build),
        ("push", PushCommand.Build),
        ("login", LoginCommand.BuildLogin),
        ("logout", LoginCommand.BuildLogout),
        ("images", ImagesCommand.BuildImages),
        ("image", ImagesCommand.BuildImage),
        ("rmi", ImagesCommand.BuildRmi),
        ("tag", TagCommand.Build),
        ("save", ImagesArchiveCommands.BuildSave),
        ("load", ImagesArchiveCommands.BuildLoad),
        ("import", ImagesArchiveCommands.BuildImport),
        ("system", SystemCommand.Build),
        ("commit", CommitCommand.Build),
        ("cp", CpCommand.Build),
        ("export", ExportCommand.Build),
        ("top", TopCommand.Build),
        ("stats", StatsCommand.Build),
        ("pause", PauseCommand.BuildPause),
        ("unpause", PauseCommand.BuildUnpause),
        ("rename", RenameCommand.Build),
        ("port", PortCommand.Build),
        ("container", ContainerCommand.Build),
        ("volume", VolumeCommand.Build),
        ("node", NodeCommand.Build),
        ("build", BuildCommand.Build),
        ("builder", BuildCommand.BuildBuilder),
    ];

    public static RootCommand Build(string? only = null)
    {
        var root = new RootCommand("Skiff: a container engine built from the kernel's own parts (namespaces, cgroups, overlayfs).");
        foreach (var (name, build) in Verbs)
            if (only is null || name == only) root.Subcommands.Add(build());
        return root;
    }

    public static int Run(string[] args)
    {
        var root = Build(args.Length > 0 && Verbs.Any(v => v.Name == args[0]) ? args[0] : null);
        var parse = root.Parse(PositionalSplitter.Prepare(root, args));
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"skiff: {error.Message}");
            Console.Error.WriteLine("See 'skiff --help'.");
            return ExitCodes.EngineError;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return Report(e);
        }
    }

    /// <summary>The one place an error becomes a message and an exit code.</summary>
    public static int Report(Exception e)
    {
        var (code, message) = e switch
        {
            ContainerStartException s => (s.ExitCode, s.Message),
            Engine.Build.BuildException b => (b.ExitCode, b.Message),
            Engine.Build.Dockerfile.DockerfileException => (ExitCodes.EngineError, e.Message),
            ImageException or HttpRequestException or InvalidDataException or NotSupportedException
                or ArgumentException or FormatException or CgroupException or SyscallException
                or IOException or UnauthorizedAccessException or InvalidOperationException
                or Engine.State.ConflictException or Engine.State.NoSuchContainerException or Engine.Networks.NoSuchNetworkException
                or Network.Cluster.EtcdException => (ExitCodes.EngineError, e.Message),
            _ => (ExitCodes.EngineError, e.ToString()),
        };
        Console.Error.WriteLine($"skiff: {message}");
        return code;
    }
}
