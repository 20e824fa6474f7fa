using System.CommandLine;
using Skiff.Cli.Commands;
using Skiff.Images;
using Skiff.Linux;
using Skiff.Runtime;
using Skiff.Runtime.Cgroups;

namespace Skiff.Cli;

public static class SkiffCli
{
    public static RootCommand Build() =>
        new("Skiff: a container engine built from the kernel's own parts (namespaces, cgroups, overlayfs).")
        {
            RunCommand.Build(),
            CreateCommand.Build(),
            StartCommand.Build(),
            PsCommand.Build(),
            LogsCommand.Build(),
            StopCommand.Build(),
            KillCommand.Build(),
            RestartCommand.Build(),
            RmCommand.Build(),
            WaitCommand.Build(),
            InspectCommand.Build(),
            ExecCommand.Build(),
            VersionCommand.Build(),
            NetworkCommand.Build(),
            PullCommand.Build(),
            PushCommand.Build(),
            LoginCommand.BuildLogin(),
            LoginCommand.BuildLogout(),
            ImagesCommand.BuildImages(),
            ImagesCommand.BuildImage(),
            ImagesCommand.BuildRmi(),
            TagCommand.Build(),
            ImagesArchiveCommands.BuildSave(),
            ImagesArchiveCommands.BuildLoad(),
            ImagesArchiveCommands.BuildImport(),
            SystemCommand.Build(),
            CommitCommand.Build(),
            CpCommand.Build(),
            ExportCommand.Build(),
            TopCommand.Build(),
            StatsCommand.Build(),
            PauseCommand.BuildPause(),
            PauseCommand.BuildUnpause(),
            RenameCommand.Build(),
            ContainerCommand.Build(),
            VolumeCommand.Build(),
        };

    public static int Run(string[] args)
    {
        var root = Build();
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
            ImageException or HttpRequestException or InvalidDataException or NotSupportedException
                or ArgumentException or FormatException or CgroupException or SyscallException
                or IOException or UnauthorizedAccessException or InvalidOperationException
                or Engine.State.ConflictException or Engine.State.NoSuchContainerException or Engine.Networks.NoSuchNetworkException => (ExitCodes.EngineError, e.Message),
            _ => (ExitCodes.EngineError, e.ToString()),
        };
        Console.Error.WriteLine($"skiff: {message}");
        return code;
    }
}
