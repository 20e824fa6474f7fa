using System.Runtime.InteropServices;
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
    private static readonly PosixSignal[] Forwarded = [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT];

    public RunOutcome Run(RunRequest request)
    {
        // Registered before anything starts, so that a signal arriving while the container starts is
        // not lost (nor kills us with the container half set up): it is delivered once there is a process.
        var forwarder = new SignalForwarder();
        var registrations = Forwarded.Select(sig => PosixSignalRegistration.Create(sig, ctx =>
        {
            ctx.Cancel = true;
            forwarder.Send(SignalNumber(ctx.Signal));
        })).ToList();
        try
        {
            StartTimeline.Mark("flags parsed");
            using var init = Launch(request);
            StartTimeline.Mark("init spawned");
            var record = engine.Create(request);
            StartTimeline.Mark("bundle written");
            try
            {
                using var container = engine.Start(record, init, ProcessControl.CurrentPid);
                StartTimeline.Mark("program running");
                forwarder.Attach(container);
                using var relay = container.ConsoleMaster is { } master ? new ConsoleRelay(master, request.Interactive) : null;
                var exitCode = container.WaitForExit();
                relay?.Drain();
                var oom = container.OomKilled();
                engine.RecordExit(record.Id, exitCode, oom);
                return new RunOutcome(exitCode, oom);
            }
            finally
            {
                if (request.AutoRemove) engine.Remove(record.Id, force: true);
            }
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
        }
    }

    private static PendingInit Launch(RunRequest request)
    {
        // Without -i the program reads end-of-file, as in Docker, never the caller's terminal.
        var devNull = request.Interactive ? -1 : FileDescriptors.Open("/dev/null", FileDescriptors.ORdonly);
        try
        {
            return ContainerEngine.Launch(request, devNull < 0 ? null : [devNull, 1, 2]);
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

    private static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        PosixSignal.SIGTERM => 15,
        _ => throw new ArgumentOutOfRangeException(nameof(signal)),
    };
}
