using System.CommandLine;
using Skiff.Cli.Commands;

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
        ("build", BuildCommand.Build),
        ("builder", BuildCommand.BuildBuilder),
    ];

    /// <summary>Set by <c>--debug</c> (or <c>-D</c>) before the verb, as Docker's, or by SKIFF_DEBUG=1:
    /// a failure then also prints its full trace after its one-line message.</summary>
    private static bool s_debug = Environment.GetEnvironmentVariable("SKIFF_DEBUG") == "1";

    public static RootCommand Build(string? only = null)
    {
        var root = new RootCommand("Skiff: a container engine built from the kernel's own parts (namespaces, cgroups, overlayfs).");
        // Taken off the arguments by Run before parsing; declared so that help lists it.
        root.Options.Add(new Option<bool>("--debug", "-D") { Description = "On failure, print the full trace after the message (also SKIFF_DEBUG=1)" });
        foreach (var (name, build) in Verbs)
            if (only is null || name == only) root.Subcommands.Add(build());
        return root;
    }

    public static int Run(string[] args)
    {
        while (args is ["--debug" or "-D", ..])
        {
            s_debug = true;
            args = args[1..];
        }
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
    public static int Report(Exception e) => Report(e, Console.Error, s_debug);

    internal static int Report(Exception e, TextWriter error, bool debug)
    {
        var (code, message) = FailureMessage.Of(e);
        error.WriteLine($"skiff: {message}");
        if (debug) error.WriteLine(e.ToString());
        return code;
    }
}
