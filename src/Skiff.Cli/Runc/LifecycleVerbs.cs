using System.Runtime.InteropServices;
using Skiff.Runtime.Oci;

namespace Skiff.Cli.Runc;

/// <summary>create, start, run, kill, delete, pause and resume: each parses its flags and makes one library call.</summary>
public static class LifecycleVerbs
{
    private static readonly string[] CreateValued = ["bundle|b", "console-socket", "pid-file", "preserve-fds", "pidfd-socket"];
    private static readonly string[] CreateSwitches = ["no-pivot", "no-new-keyring"];

    public static int Create(RuncContext context, List<string> args)
    {
        var parsed = RuncArguments.Parse(args, "create", CreateValued, CreateSwitches);
        context.Runtime.Create(Request(context, parsed, "create"));
        return 0;
    }

    public static int Start(RuncContext context, List<string> args)
    {
        context.Runtime.Start(RuncArguments.Parse(args, "start", [], []).Id("start"));
        return 0;
    }

    /// <summary>create + start; in the foreground it also waits, passes on signals, deletes, and exits with the program's status.</summary>
    public static int RunContainer(RuncContext context, List<string> args)
    {
        var parsed = RuncArguments.Parse(args, "run", CreateValued, [.. CreateSwitches, "detach|d", "keep", "no-subreaper"]);
        var request = Request(context, parsed, "run");
        using var running = context.Runtime.Create(request);
        try
        {
            context.Runtime.Start(request.Id);
        }
        catch
        {
            context.Runtime.Delete(request.Id, force: true);
            throw;
        }
        if (parsed.Has("detach"))
        {
            running.Release();
            return 0;
        }
        var forwarded = new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
            .Select(signal => PosixSignalRegistration.Create(signal, c =>
            {
                c.Cancel = true;
                running.Signal(SignalNumber(c.Signal));
            })).ToList();
        var status = running.WaitForExit();
        forwarded.ForEach(r => r.Dispose());
        // delete removes the cgroup; the handle must not remove it a second time.
        running.Release();
        if (!parsed.Has("keep")) context.Runtime.Delete(request.Id, force: true);
        return status;
    }

    public static int Kill(RuncContext context, List<string> args)
    {
        var parsed = RuncArguments.Parse(args, "kill", [], ["all|a"]);
        var signal = parsed.Positional.Count > 1 ? SignalNames.Parse(parsed.Positional[1]) : 15;
        context.Runtime.Kill(parsed.Id("kill"), signal, parsed.Has("all"));
        return 0;
    }

    public static int Delete(RuncContext context, List<string> args)
    {
        var parsed = RuncArguments.Parse(args, "delete", [], ["force|f"]);
        parsed.Id("delete");
        foreach (var id in parsed.Positional) context.Runtime.Delete(id, parsed.Has("force"));
        return 0;
    }

    public static int Pause(RuncContext context, List<string> args, bool pause)
    {
        var verb = pause ? "pause" : "resume";
        var id = RuncArguments.Parse(args, verb, [], []).Id(verb);
        if (pause) context.Runtime.Pause(id);
        else context.Runtime.Resume(id);
        return 0;
    }

    private static CreateRequest Request(RuncContext context, RuncArguments parsed, string verb)
    {
        return new CreateRequest
        {
            Id = parsed.Id(verb),
            Bundle = parsed.Value("bundle") ?? Directory.GetCurrentDirectory(),
            PidFile = parsed.Value("pid-file"),
            ConsoleSocket = parsed.Value("console-socket"),
            SystemdCgroup = context.SystemdCgroup,
            PreservedFds = parsed.PreservedFds(verb),
        };
    }

    /// <summary>.NET numbers POSIX signals its own way (negative); the container needs Linux's numbers.</summary>
    private static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGTERM => 15,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGHUP => 1,
        _ => 3, // SIGQUIT, the last one forwarded
    };
}
