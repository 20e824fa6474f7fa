using System.Diagnostics;
using System.Globalization;
using Skiff.Engine.Containers;
using Skiff.Engine.State;
using Skiff.Linux;
using Skiff.Runtime;

namespace Skiff.Engine.Monitor;

/// <summary>
/// Starts a container in the background: spawns <c>skiff monitor ID</c>, which detaches into its
/// own session, and waits only until it says the program runs (or why it could not start).
/// </summary>
public static class MonitorLauncher
{
    public const string Verb = "monitor";
    private const string StartedLine = "started";
    private const string ErrorLine = "error";

    public static void Start(ContainerEngine engine, ContainerRecord record)
    {
        if (record.Status is ContainerStatus.Running or ContainerStatus.Restarting or ContainerStatus.Paused)
            throw new ConflictException($"container {record.Name} is already {record.Status.ToString().ToLowerInvariant()}");
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
        startInfo.ArgumentList.Add(record.Id);
        using var monitor = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the container's monitor");
        monitor.StandardInput.Close();
        var errors = monitor.StandardError.ReadToEndAsync();
        var line = monitor.StandardOutput.ReadLine();
        if (line == StartedLine) return;
        if (line?.StartsWith(ErrorLine + " ", StringComparison.Ordinal) == true)
        {
            var parts = line.Split(' ', 3);
            throw new ContainerStartException(int.Parse(parts[1], CultureInfo.InvariantCulture), parts.Length > 2 ? parts[2] : "unknown error");
        }
        monitor.WaitForExit();
        throw new ContainerStartException(125, $"the container's monitor exited with status {monitor.ExitCode} before the container started: {errors.Result.Trim()}");
    }

    /// <summary>The hidden verb: runs in the monitor process until the container is done for good.</summary>
    public static int RunMonitor(string id)
    {
        // Our own session: the caller's terminal closing or its Ctrl-C must not reach us.
        ProcessControl.NewSession();
        using var engine = new ContainerEngine(SkiffPaths.FromEnvironment());
        var outcome = 0;
        new ContainerMonitor(engine).Run(id, failure =>
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
