using Skiff.Linux;
using Skiff.Runtime;
using Skiff.Runtime.Start;

namespace Skiff.Engine.Containers;

public sealed record RunOutcome(int ExitCode, bool OomKilled);

/// <summary>
/// <c>skiff run</c> without -d: the container's stdio is the caller's, signals sent to us are sent
/// on to the container, and we wait for its exit, then remove what it used.
/// </summary>
public sealed class ForegroundRun(ContainerEngine engine)
{
    public RunOutcome Run(RunRequest request)
    {
        StartTimeline.Mark("flags parsed");
        return Attached(request.Interactive, forwarder =>
        {
            using var init = WithStdio(request.Interactive, stdio => engine.Launch(request, stdio));
            StartTimeline.Mark("init spawned");
            var record = engine.Create(request);
            StartTimeline.Mark("bundle written");
            try
            {
                using var container = engine.Start(record, init, ProcessControl.CurrentPid, TerminalSize());
                StartTimeline.Mark("program running");
                var outcome = Wait(container, forwarder, request.Interactive);
                StartTimeline.Mark("program exited");
                engine.RecordExit(record.Id, outcome.ExitCode, outcome.OomKilled);
                StartTimeline.Mark("exit recorded");
                return outcome;
            }
            finally
            {
                if (request.AutoRemove) engine.Remove(record.Id, force: true);
                StartTimeline.Mark("done");
            }
        });
    }

    /// <summary><c>skiff exec</c> without -d: the process's stdio is the caller's, as for run.</summary>
    public int Exec(string reference, ExecRequest request) =>
        Attached(request.Interactive, forwarder =>
        {
            using var process = WithStdio(request.Interactive, stdio => engine.Exec(reference, request, stdio, TerminalSize()));
            return Wait(process, forwarder, request.Interactive);
        }).ExitCode;

    /// <summary>
    /// Signal handlers are registered before anything starts, so that a signal arriving while the
    /// container starts is not lost (nor kills us with the container half set up): it is delivered
    /// once there is a process.
    /// </summary>
    private static RunOutcome Attached(bool interactive, Func<SignalForwarder, RunOutcome> body)
    {
        var forwarder = new SignalForwarder();
        using var proxy = new SignalProxy(forwarder.Send);
        return body(forwarder);
    }

    private static RunOutcome Wait(RunningContainer process, SignalForwarder forwarder, bool interactive)
    {
        forwarder.Attach(process);
        using var relay = process.ConsoleMaster is { } master ? new ConsoleRelay(master, interactive) : null;
        var exitCode = process.WaitForExit();
        relay?.Drain();
        return new RunOutcome(exitCode, process.OomKilled());
    }

    private static WindowSize? TerminalSize() => Pty.GetSize(0) ?? Pty.GetSize(1);

    // Without -i the program reads end-of-file, as in Docker, never the caller's terminal.
    private static T WithStdio<T>(bool interactive, Func<int[]?, T> start)
    {
        var devNull = interactive ? -1 : FileDescriptors.Open("/dev/null", FileDescriptors.ORdonly);
        try
        {
            return start(devNull < 0 ? null : [devNull, 1, 2]);
        }
        finally
        {
            if (devNull >= 0) FileDescriptors.Close(devNull);
        }
    }

    /// <summary>Holds signals that arrive before the container exists and sends them on once it does.</summary>
    private sealed class SignalForwarder
    {
        private readonly Lock _lock = new();
        private readonly List<int> _pending = [];
        private RunningContainer? _target;

        public void Send(int signal)
        {
            lock (_lock)
            {
                if (_target is null) _pending.Add(signal);
                else _target.Signal(signal);
            }
        }

        public void Attach(RunningContainer container)
        {
            lock (_lock)
            {
                _target = container;
                _pending.ForEach(s => container.Signal(s));
                _pending.Clear();
            }
        }
    }
}
