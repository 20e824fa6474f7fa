using System.Diagnostics;
using System.Globalization;
using Skiff.Engine.Containers;
using Skiff.Engine.State;
using Skiff.Linux;
using Skiff.Runtime;

namespace Skiff.Engine.Monitor;

/// <summary>
/// Starts a container in the background: spawns <c>skiff monitor</c>, which detaches into its own
/// session, tells it the container, and waits only until it says the program runs (or why it could not start).
/// </summary>
public static class MonitorLauncher
{
    public const string Verb = "monitor";
    private const string AttachFirst = "attach";
    private const string ListeningLine = "listening";
    private const string GoLine = "go";
    private const string StartedLine = "started";
    private const string ErrorLine = "error";

    public static void Start(ContainerEngine engine, ContainerRecord record)
    {
        using var monitor = Spawn(record.Id);
        monitor.Start(engine, record, attach: false);
    }

    /// <summary>
    /// Starts the container with us attached from its first byte of output (start -a): the monitor
    /// waits for our connection before it starts the program.
    /// </summary>
    /// <returns>the connection to the container's attach socket (see <see cref="AttachFrames"/>).</returns>
    public static int StartAttached(ContainerEngine engine, ContainerRecord record)
    {
        using var monitor = Spawn(record.Id);
        return monitor.Start(engine, record, attach: true);
    }

    /// <summary>
    /// Spawns the monitor of container <paramref name="id"/>, possibly before the container exists,
    /// so that its .NET start-up and its opening of the database overlap the caller's own work
    /// (resolving the image, writing the record). It waits for <see cref="PendingMonitor.Start"/>;
    /// disposed without that, it sees its stdin close and exits having done nothing.
    /// </summary>
    public static PendingMonitor Spawn(string id)
    {
        var startInfo = new ProcessStartInfo(Environment.ProcessPath ?? "skiff")
        {
            UseShellExecute = false,
            // None of the caller's descriptors may reach the monitor: it lives as long as the container,
            // and would keep the caller's pipes (a shell's, a test runner's) open all that time.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(Verb);
        // The ID on the command line names the monitor in ps, as conmon's does.
        startInfo.ArgumentList.Add(id);
        return new PendingMonitor(Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the container's monitor"));
    }

    public sealed class PendingMonitor(Process monitor) : IDisposable
    {
        /// <returns>with <paramref name="attach"/>, the connection to the container's attach socket; -1 otherwise.</returns>
        public int Start(ContainerEngine engine, ContainerRecord record, bool attach)
        {
            if (record.Status is ContainerStatus.Running or ContainerStatus.Restarting or ContainerStatus.Paused)
                throw new ConflictException($"container {record.Name} is already {record.Status.ToString().ToLowerInvariant()}");
            if (record.Status == ContainerStatus.Removing)
                throw new ConflictException($"container {record.Name} is marked for removal and cannot be started: finish removing it (skiff rm {record.Name})");
            engine.Update(record.Id, c => c with { StopRequested = false });
            monitor.StandardInput.WriteLine(attach ? AttachFirst : GoLine);
            monitor.StandardInput.Close();
            var errors = monitor.StandardError.ReadToEndAsync();
            var line = monitor.StandardOutput.ReadLine();
            var connection = -1;
            try
            {
                if (attach && line == ListeningLine)
                {
                    connection = UnixSockets.Connect(AttachFrames.SocketPath(engine.Paths, record.Id));
                    line = monitor.StandardOutput.ReadLine();
                }
                if (line == StartedLine) return connection;
                if (line?.StartsWith(ErrorLine + " ", StringComparison.Ordinal) == true)
                {
                    var parts = line.Split(' ', 3);
                    throw new ContainerStartException(int.Parse(parts[1], CultureInfo.InvariantCulture), parts.Length > 2 ? parts[2] : "unknown error");
                }
                monitor.WaitForExit();
                throw new ContainerStartException(125, $"the container's monitor exited with status {monitor.ExitCode} before the container started: {errors.Result.Trim()}");
            }
            catch
            {
                if (connection >= 0) FileDescriptors.Close(connection);
                throw;
            }
        }

        public void Dispose()
        {
            // Closing its stdin (if Start never ran) is what ends a monitor that has no container.
            monitor.StandardInput.Dispose();
            monitor.Dispose();
        }
    }

    /// <summary>
    /// The hidden verb (<c>monitor ID</c>): runs in the monitor process until the container is done
    /// for good. It starts as soon as its launcher says so on stdin ("go", or "attach" to wait for
    /// the launcher's connection first), once the container's record exists.
    /// </summary>
    public static int RunMonitor(string id)
    {
        // Our own session: the caller's terminal closing or its Ctrl-C must not reach us.
        ProcessControl.NewSession();
        using var engine = new ContainerEngine(SkiffPaths.FromEnvironment());
        engine.OpenStateInBackground();
        var attach = Console.In.ReadLine() switch
        {
            GoLine => false,
            AttachFirst => true,
            // The launcher failed (or died) before the container existed: nothing to do.
            null => (bool?)null,
            var other => throw new InvalidInputException($"a monitor reads \"{GoLine}\" or \"{AttachFirst}\" on its stdin, not \"{other}\""),
        };
        if (attach is null) return 0;
        var socket = AttachFrames.SocketPath(engine.Paths, id);
        int listener;
        try
        {
            listener = UnixSockets.Listen(socket);
        }
        catch (Exception e) when (e is SkiffException or IOException)
        {
            Console.Out.WriteLine($"{ErrorLine} 125 cannot serve attach on {socket}: {e.Message.ReplaceLineEndings(" ")}");
            return 125;
        }
        try
        {
            return Monitor(engine, id, listener, attach.Value ? FirstAttacher(listener) : null);
        }
        finally
        {
            FileDescriptors.Close(listener);
            // Gone already when the container was removed (--rm).
            if (File.Exists(socket)) File.Delete(socket);
        }
    }

    /// <summary>Tells the launcher we listen, and takes its connection; null if it died first.</summary>
    private static int? FirstAttacher(int listener)
    {
        try
        {
            Console.Out.WriteLine(ListeningLine);
            Console.Out.Flush();
        }
        catch (IOException)
        {
            return null;
        }
        // Our stdout is the launcher's pipe: it reports an error once the launcher is gone.
        Span<PollFd> fds = [new PollFd(listener, PollFd.In), new PollFd(1, 0)];
        while (true)
        {
            Poll.Wait(fds);
            if (UnixSockets.Accept(listener) is { } client) return client;
            if (fds[1].Revents != 0) return null;
        }
    }

    private static int Monitor(ContainerEngine engine, string id, int listener, int? firstAttacher)
    {
        var outcome = 0;
        new ContainerMonitor(engine).Run(id, listener, firstAttacher, failure =>
        {
            try
            {
                Console.Out.WriteLine(failure switch
                {
                    null => StartedLine,
                    ContainerStartException s => $"{ErrorLine} {s.ExitCode} {s.Message.ReplaceLineEndings(" ")}",
                    _ => $"{ErrorLine} 125 {failure.Message.ReplaceLineEndings(" ")}",
                });
                Console.Out.Flush();
            }
            catch (IOException)
            {
                // The launcher was killed before it read this: the container runs on regardless.
            }
            if (failure is not null) outcome = 125;
            // The launcher stops reading once it has this line: from here on, nothing of ours may
            // depend on its pipe.
            ProcessControl.DetachStdio();
        });
        return outcome;
    }
}
