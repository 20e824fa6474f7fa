using Microsoft.Win32.SafeHandles;
using Skiff.Engine.Containers;
using Skiff.Engine.Logs;
using Skiff.Engine.State;
using Skiff.Linux;
using Skiff.Runtime;

namespace Skiff.Engine.Monitor;

/// <summary>
/// The per-container monitor (<c>skiff monitor ID</c>, detached from the CLI): the parent of the
/// container's init. It writes the container's output to its json-file log, waits for the exit,
/// records exit code, OOM kill and finish time, removes the cgroup, and restarts the container as
/// its restart policy says (with Docker's doubling back-off), unless a stop was asked for.
/// </summary>
public sealed class ContainerMonitor(ContainerEngine engine)
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);
    // A run this long resets the back-off, as in Docker.
    private static readonly TimeSpan StableRun = TimeSpan.FromSeconds(10);

    /// <param name="started">called once: with null when the program runs, or with why it could not start.</param>
    public void Run(string id, Action<Exception?> started)
    {
        var record = engine.Find(id);
        var backoff = FirstBackoff;
        var first = true;
        while (true)
        {
            var began = DateTime.UtcNow;
            int exitCode;
            bool oom;
            try
            {
                (exitCode, oom) = RunOnce(record, first ? started : null);
            }
            catch (Exception e) when (first)
            {
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

    private (int ExitCode, bool OomKilled) RunOnce(ContainerRecord record, Action<Exception?>? started)
    {
        using var log = new JsonFileLog(engine.LogPath(record.Id), record.Request.Log.MaxSizeBytes, record.Request.Log.MaxFiles);
        var devNull = FileDescriptors.Open("/dev/null", FileDescriptors.ORdwr);
        var (outRead, outWrite) = FileDescriptors.Pipe();
        var (errRead, errWrite) = FileDescriptors.Pipe();
        RunningContainer running;
        try
        {
            using var init = engine.Launch(record.Request, record.Request.Tty ? [devNull, devNull, devNull] : [devNull, outWrite, errWrite]);
            FileDescriptors.Close(outWrite);
            FileDescriptors.Close(errWrite);
            outWrite = errWrite = -1;
            running = engine.Start(record, init, ProcessControl.CurrentPid);
        }
        catch
        {
            FileDescriptors.Close(outRead);
            FileDescriptors.Close(errRead);
            throw;
        }
        finally
        {
            FileDescriptors.Close(devNull);
            if (outWrite >= 0) FileDescriptors.Close(outWrite);
            if (errWrite >= 0) FileDescriptors.Close(errWrite);
        }
        started?.Invoke(null);

        using (running)
        {
            List<Thread> pumps = running.ConsoleMaster is { } master
                ? [Pump(log, master, "stdout")]
                : [Pump(log, outRead, "stdout"), Pump(log, errRead, "stderr")];
            if (running.ConsoleMaster is not null)
            {
                FileDescriptors.Close(outRead);
                FileDescriptors.Close(errRead);
            }
            var exitCode = running.WaitForExit();
            pumps.ForEach(p => p.Join());
            return (exitCode, running.OomKilled());
        }
    }

    private static Thread Pump(JsonFileLog log, int fd, string stream)
    {
        var thread = new Thread(() =>
        {
            using var source = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 1);
            log.Pump(source, stream);
        }) { IsBackground = true, Name = $"log-{stream}" };
        thread.Start();
        return thread;
    }
}
