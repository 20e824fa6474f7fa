using System.Runtime.InteropServices;
using Skiff.Linux;
using Skiff.Runtime;

namespace Skiff.Engine.Containers;

public sealed record RunOutcome(int ExitCode, bool OomKilled);

/// <summary>
/// <c>skiff run</c> without -d: the container's stdio is the caller's, signals sent to us are sent
/// on to the container, and we wait for its exit, then remove what it used.
/// </summary>
public sealed class ForegroundRun(ContainerEngine engine)
{
    private static readonly PosixSignal[] Forwarded = [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT];

    public RunOutcome Run(RunRequest request, bool remove)
    {
        var prepared = engine.Create(request);
        try
        {
            return StartAndWait(prepared, request);
        }
        finally
        {
            if (remove) engine.Remove(prepared);
        }
    }

    private RunOutcome StartAndWait(PreparedContainer prepared, RunRequest request)
    {
        // Without -i the program reads end-of-file, as in Docker, never the caller's terminal.
        var devNull = request.Interactive ? -1 : FileDescriptors.Open("/dev/null", FileDescriptors.ORdonly);
        RunningContainer container;
        try
        {
            container = engine.Start(prepared, devNull < 0 ? null : [devNull, 1, 2]);
        }
        finally
        {
            if (devNull >= 0) FileDescriptors.Close(devNull);
        }
        using (container)
        {
            var registrations = Forwarded.Select(sig => PosixSignalRegistration.Create(sig, ctx =>
            {
                ctx.Cancel = true;
                container.Signal(SignalNumber(ctx.Signal));
            })).ToList();
            ConsoleRelay? relay = container.ConsoleMaster is { } master ? new ConsoleRelay(master, request.Interactive) : null;
            try
            {
                var exitCode = container.WaitForExit();
                relay?.Drain();
                return new RunOutcome(exitCode, container.OomKilled());
            }
            finally
            {
                relay?.Dispose();
                registrations.ForEach(r => r.Dispose());
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
