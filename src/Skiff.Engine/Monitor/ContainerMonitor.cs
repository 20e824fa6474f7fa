using Skiff.Engine.Containers;
using Skiff.Engine.Logs;
using Skiff.Engine.State;
using Skiff.Linux;
using Skiff.Runtime;

namespace Skiff.Engine.Monitor;

/// <summary>
/// The per-container monitor (<c>skiff monitor ID</c>, detached from the CLI): the parent of the
/// container's init. It writes the container's output to its json-file log and serves attachers
/// (<see cref="ContainerStreams"/>), waits for the exit,
/// records exit code, OOM kill and finish time, removes the cgroup, and restarts the container as
/// its restart policy says (with Docker's doubling back-off), unless a stop was asked for.
/// </summary>
public sealed class ContainerMonitor(ContainerEngine engine)
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);
    // A run this long resets the back-off, as in Docker.
    private static readonly TimeSpan StableRun = TimeSpan.FromSeconds(10);

    /// <param name="listener">the attach socket, listening; clients of one run are told its exit and let go.</param>
    /// <param name="firstAttacher">a client that connected before the first start (start -a), so it misses nothing.</param>
    /// <param name="started">called once: with null when the program runs, or with why it could not start.</param>
    public void Run(string id, int listener, OwnedFd? firstAttacher, Action<Exception?> started)
    {
        var record = engine.Find(id);
        var backoff = FirstBackoff;
        var first = true;
        while (true)
        {
            var began = DateTime.UtcNow;
            int exitCode;
            bool oom;
            ContainerStreams streams;
            try
            {
                (exitCode, oom, streams) = RunOnce(record, listener, first ? started : null, first ? firstAttacher : null);
            }
            catch (Exception e) when (first)
            {
                firstAttacher?.Dispose();
                started(e);
                return;
            }
            catch (ContainerStartException)
            {
                // A restart that fails to start is recorded (by Start) and ends the policy, as in Docker.
                break;
            }
            first = false;
            record = engine.RecordExit(id, exitCode, oom);
            // Only now: an attacher that exits with this code may run a command that must see the exit.
            streams.Finish(exitCode);
            if (!record.Request.Restart.ShouldRestart(exitCode, record.RestartCount, record.StopRequested)) break;

            backoff = DateTime.UtcNow - began > StableRun ? FirstBackoff : backoff;
            record = engine.RecordRestart(id);
            Thread.Sleep(backoff);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            record = engine.Find(id);
            if (record.StopRequested)
            {
                engine.Update(id, c => c with { Status = ContainerStatus.Exited });
                break;
            }
        }
        if (record.Request.AutoRemove) engine.Remove(id, force: false);
    }

    private (int ExitCode, bool OomKilled, ContainerStreams Streams) RunOnce(ContainerRecord record, int listener, Action<Exception?>? started, OwnedFd? firstAttacher)
    {
        var request = record.Request;
        using var log = new JsonFileLog(engine.LogPath(record.Id), request.Log.MaxSizeBytes, request.Log.MaxFiles);
        // We hold the writing end of a -i container's stdin, so that it stays open between attachers, as in Docker.
        var (inRead, inWrite) = request.Interactive && !request.Tty ? FileDescriptors.Pipe() : (null, null);
        var (outRead, outWrite) = FileDescriptors.Pipe();
        var (errRead, errWrite) = FileDescriptors.Pipe();
        // Our ends go to the streams once the container runs; the container's close once it has them.
        RunningContainer running;
        using (inRead)
        using (outWrite)
        using (errWrite)
        using (var devNull = new OwnedFd(FileDescriptors.Open("/dev/null", FileDescriptors.ORdwr)))
        {
            try
            {
                using var init = engine.Launch(request, request.Tty
                    ? [devNull.Value, devNull.Value, devNull.Value]
                    : [(inRead ?? devNull).Value, outWrite.Value, errWrite.Value]);
                running = engine.Start(record, init, ProcessControl.CurrentPid);
            }
            catch
            {
                inWrite?.Dispose();
                outRead.Dispose();
                errRead.Dispose();
                throw;
            }
        }
        started?.Invoke(null);
        // From here until the exit the monitor only relays output: it holds no database, and gives
        // back what starting the container took.
        engine.CloseState();
        WorkingSet.Trim();

        using (running)
        {
            ContainerStreams streams;
            if (running.ConsoleMaster is { } console)
            {
                outRead.Dispose();
                errRead.Dispose();
                // The streams keep the pty past the container's end (for the exit's last resize), so it leaves the container's hands.
                var master = new OwnedFd(console.Release());
                streams = new ContainerStreams(log, [(master, AttachFrameKind.Stdout)], request.Interactive ? master : null, master, request.StdinOnce, listener, firstAttacher);
            }
            else
            {
                streams = new ContainerStreams(log, [(outRead, AttachFrameKind.Stdout), (errRead, AttachFrameKind.Stderr)],
                    inWrite, null, request.StdinOnce, listener, firstAttacher);
            }
            streams.Run(running);
            return (running.WaitForExit(), running.OomKilled(), streams);
        }
    }
}
