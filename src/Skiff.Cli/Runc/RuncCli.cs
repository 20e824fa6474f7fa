using System.Text;
using System.Text.Json;
using Skiff.Runtime.Oci;

namespace Skiff.Cli.Runc;

/// <summary>
/// <c>skiff-runc</c>: runc's command line over <see cref="OciRuntime"/>, for containerd, Podman and
/// dockerd. They start it once per step of a container's life, so it loads nothing but the verb
/// it runs. Errors go to stderr and, with --log, to that file in the format containerd reads back.
/// </summary>
public static class RuncCli
{
    public const string Name = "skiff-runc";
    public const string Version = "1.1.5";

    private static readonly string[] GlobalValued = ["root", "log", "log-format", "criu", "rootless"];
    private static readonly string[] GlobalSwitches = ["systemd-cgroup", "debug", "version|v", "help|h"];

    public static int Run(string[] args)
    {
        var log = new RuncLog();
        try
        {
            var (globals, rest) = SplitGlobals(args);
            log = new RuncLog(globals.Value("log"), globals.Value("log-format") ?? "text", globals.Has("debug"));
            if (globals.Has("version") || rest is ["version"])
            {
                Console.Out.Write($"runc version {Version}\ncommit: skiff\nspec: 1.0.2-dev\n");
                return 0;
            }
            if (rest.Count == 0 || globals.Has("help") || rest[0] is "help" or "--help" or "-h")
            {
                Console.Out.Write(Usage);
                return rest.Count == 0 && !globals.Has("help") ? 1 : 0;
            }
            var runtime = new OciRuntime(new StateRoot(globals.Value("root") ?? StateRoot.DefaultPath));
            var context = new RuncContext(runtime, globals.Has("systemd-cgroup"), log);
            var verbArgs = rest.Skip(1).ToList();
            log.Debug($"{rest[0]} {string.Join(' ', verbArgs)}");
            return rest[0] switch
            {
                "create" => LifecycleVerbs.Create(context, verbArgs),
                "start" => LifecycleVerbs.Start(context, verbArgs),
                "run" => LifecycleVerbs.RunContainer(context, verbArgs),
                "kill" => LifecycleVerbs.Kill(context, verbArgs),
                "delete" => LifecycleVerbs.Delete(context, verbArgs),
                "pause" => LifecycleVerbs.Pause(context, verbArgs, pause: true),
                "resume" => LifecycleVerbs.Pause(context, verbArgs, pause: false),
                "state" => InspectVerbs.State(context, verbArgs),
                "list" => InspectVerbs.List(context, verbArgs),
                "ps" => InspectVerbs.Processes(context, verbArgs),
                "events" => InspectVerbs.Events(context, verbArgs),
                "features" => InspectVerbs.Features(verbArgs),
                "exec" => ExecVerb.Run(context, verbArgs),
                "update" => UpdateVerb.Run(context, verbArgs),
                "spec" => SpecVerb.Run(verbArgs),
                "checkpoint" or "restore" => throw new OciException($"{rest[0]}: skiff-runc cannot checkpoint or restore containers (no CRIU support)"),
                _ => throw new OciException($"unknown command \"{rest[0]}\": see \"{Name} --help\""),
            };
        }
        catch (OciException e)
        {
            log.Error(e.Message);
            if (e.InnerException is { } cause) log.Debug(cause.ToString());
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Skiff.Linux.SyscallException or JsonException or ArgumentException)
        {
            log.Error(e.Message);
            return 1;
        }
    }

    /// <summary>Global flags come before the verb.</summary>
    private static (RuncArguments Globals, List<string> Verb) SplitGlobals(string[] args)
    {
        var i = 0;
        var globalArgs = new List<string>();
        while (i < args.Length && args[i].StartsWith('-'))
        {
            globalArgs.Add(args[i]);
            var body = args[i].TrimStart('-');
            if (!body.Contains('=') && GlobalValued.Contains(body) && i + 1 < args.Length) globalArgs.Add(args[++i]);
            i++;
        }
        return (RuncArguments.Parse(globalArgs, "skiff-runc", GlobalValued, GlobalSwitches), args.Skip(i).ToList());
    }

    private const string Usage = """
        skiff-runc: Skiff's OCI runtime, with runc's command line

        usage: skiff-runc [global flags] <command> [flags] <container-id>

        commands: create, start, run, state, kill, delete, pause, resume, exec, ps, list, update,
                  events, features, spec
        global flags: --root DIR (default /run/skiff-runc), --log FILE, --log-format text|json,
                      --systemd-cgroup, --debug

        """;
}

/// <summary>What every verb gets: the runtime over --root, how cgroup paths are read, where messages go.</summary>
public sealed record RuncContext(OciRuntime Runtime, bool SystemdCgroup, RuncLog Log);

/// <summary>runc's --log: text lines, or JSON lines ({"level","msg","time"}) that containerd's shim reads back on failure.</summary>
public sealed class RuncLog(string? path = null, string format = "text", bool debug = false)
{
    public void Error(string message)
    {
        Console.Error.WriteLine($"{RuncCli.Name}: {message}");
        Write("error", message);
    }

    public void Warn(string message)
    {
        Console.Error.WriteLine($"{RuncCli.Name}: warning: {message}");
        Write("warning", message);
    }

    public void Debug(string message)
    {
        if (debug) Write("debug", message);
    }

    private void Write(string level, string message)
    {
        if (path is null) return;
        var time = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture);
        string line;
        if (format == "json")
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("level", level);
                w.WriteString("msg", message);
                w.WriteString("time", time);
                w.WriteEndObject();
            }
            line = Encoding.UTF8.GetString(buffer.ToArray());
        }
        else line = $"time=\"{time}\" level={level} msg=\"{message.Replace("\"", "\\\"")}\"";
        try { File.AppendAllText(path, line + "\n"); }
        catch (IOException) { } // the message is on stderr already
    }
}
