using Skiff.Engine.State;

namespace Skiff.Engine.Containers;

/// <summary>stop and kill: signals to a container's init, whichever process owns the container.</summary>
public sealed class ContainerSignals(ContainerEngine engine)
{
    private const int SigTerm = 15, SigKill = 9;
    private static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The container's stop signal (SIGTERM unless --stop-signal or the image's STOPSIGNAL says
    /// otherwise), then SIGKILL when the grace period runs out; a restart policy never undoes it.
    /// </summary>
    /// <param name="grace">stop -t; without it the container's --stop-timeout, or 10 seconds.</param>
    public void Stop(string reference, TimeSpan? grace = null)
    {
        var record = ContainerFreezer.ThawForSignal(engine, engine.Update(engine.Find(reference).Id, c => c with { StopRequested = true }));
        var signal = record.Request.StopSignal is { } name ? SignalNames.Parse(name) : SigTerm;
        TimeSpan? wait = grace ?? (record.Request.StopTimeout is { } seconds ? seconds < 0 ? null : TimeSpan.FromSeconds(seconds) : DefaultGrace);
        if (record.Status == ContainerStatus.Restarting)
        {
            // Between two runs there is no process: the monitor sees the flag and stops restarting.
            engine.WaitForExit(record.Id, wait + TimeSpan.FromSeconds(2));
            return;
        }
        if (record.Status != ContainerStatus.Running || record.Pid <= 0) return;
        engine.Runtime.Kill(record.Pid, signal);
        if (engine.WaitForExit(record.Id, wait).Status != ContainerStatus.Running) return;
        var current = engine.Find(record.Id);
        if (current.Pid > 0) engine.Runtime.Kill(current.Pid, SigKill);
        engine.WaitForExit(record.Id, TimeSpan.FromSeconds(10));
    }

    public void Kill(string reference, int signal)
    {
        var record = engine.Find(reference);
        if (record.Status is not (ContainerStatus.Running or ContainerStatus.Paused) || record.Pid <= 0)
            throw new ConflictException($"container {record.Name} is not running");
        engine.Runtime.Kill(record.Pid, signal);
        // As in Docker, only SIGKILL ends a paused container at once; any other signal stays pending
        // until it is unpaused. Sent first, so the program never runs again before it dies.
        if (signal == SigKill) ContainerFreezer.ThawForSignal(engine, record);
    }
}
