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
    public const string AttachFirst = "attach";
    private const string ListeningLine = "listening";
    private const string StartedLine = "started";
    private const string ErrorLine = "error";

    public static void Start(ContainerEngine engine, ContainerRecord record) => Start(engine, record, attach: false);

    /// <summary>
    /// Starts the container with us attached from its first byte of output (start -a): the monitor
    /// waits for our connection before it starts the program.
    /// </summary>
    /// <returns>the connection to the container's attach socket (see <see cref="AttachFrames"/>).</returns>
    public static int StartAttached(ContainerEngine engine, ContainerRecord record) => Start(engine, record, attach: true);

    /// <returns>with <paramref name="attach"/>, the connection to the container's attach socket; -1 otherwise.</returns>
    private static int Start(ContainerEngine engine, ContainerRecord record, bool attach)
    {
        if (record.Status is ContainerStatus.Running or ContainerStatus.Restarting or ContainerStatus.Paused)
            throw new ConflictException($"container {record.Name} is already {record.Status.ToString().ToLowerInvariant()}");
        if (record.Status == ContainerStatus.Removing)
            throw new ConflictException($"container {record.Name} is marked for removal and cannot be started: finish removing it (skiff rm {record.Name})");
        engine.Update(record.Id, c => c with { StopRequested = false });
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
        startInfo.ArgumentList.Add(record.Id);
        if (attach) startInfo.ArgumentList.Add(AttachFirst);
        using var monitor = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the container's monitor");
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

    /// <summary>
    /// The hidden verb (<c>monitor ID [attach]</c>): runs in the monitor process until the container
    /// is done for good. With "attach" it waits for the launcher's connection before it starts the program.
    /// </summary>
    public static int RunMonitor(string id, bool attach)
    {
        // Our own session: the caller's terminal closing or its Ctrl-C must not reach us.
        ProcessControl.NewSession();
        using var engine = new ContainerEngine(SkiffPaths.FromEnvironment());
        var socket = AttachFrames.SocketPath(engine.Paths, id);
        OwnedFd listener;
        try
        {
            listener = new OwnedFd(UnixSockets.Listen(socket));
        }
        catch (Exception e) when (e is SkiffException or IOException)
        {
            Console.Out.WriteLine($"{ErrorLine} 125 cannot serve attach on {socket}: {e.Message.ReplaceLineEndings(" ")}");
            return 125;
        }
        try
        {
            return Monitor(engine, id, listener.Value, attach ? FirstAttacher(listener.Value) : null);
        }
        finally
        {
            listener.Dispose();
            // Gone already when the container was removed (--rm).
            if (File.Exists(socket)) File.Delete(socket);
        }
    }

    /// <summary>Tells the launcher we listen, and takes its connection; null if it died first.</summary>
    private static OwnedFd? FirstAttacher(int listener)
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
            if (UnixSockets.Accept(listener) is { } client) return new OwnedFd(client);
            if (fds[1].Revents != 0) return null;
        }
    }

    private static int Monitor(ContainerEngine engine, string id, int listener, OwnedFd? firstAttacher)
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
