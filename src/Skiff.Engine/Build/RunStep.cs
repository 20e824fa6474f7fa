using Microsoft.Win32.SafeHandles;
using Skiff.Engine.Containers;
using Skiff.Engine.State;
using Skiff.Images;
using Skiff.Linux;

namespace Skiff.Engine.Build;

/// <summary>
/// A RUN step: a container made by Skiff's own engine on the previous step's image, its output
/// shown as the step's progress, its changes made a layer by the same diff <c>commit</c> uses.
/// The container is removed whatever happens; a failed command leaves no layer.
/// </summary>
public sealed class RunStep(ContainerEngine engine, ImageStore store)
{
    /// <summary>What BuildKit calls the build container's host name.</summary>
    private const string Hostname = "buildkitsandbox";

    /// <returns>The new layer's digest (its diff id).</returns>
    /// <exception cref="BuildException">The command exited non-zero: the exception carries its exit code.</exception>
    public Digest Run(Digest baseManifest, IReadOnlyList<string> command, IReadOnlyList<string> argEnv, Networks.NetworkChoice network, BuildProgress.Vertex vertex)
    {
        var request = new RunRequest
        {
            Image = ImageState.Reference(baseManifest),
            Command = command,
            Entrypoint = [],
            Env = argEnv,
            Hostname = Hostname,
            Network = network.Mode,
            Networks = network.Networks,
            NetworkContainer = network.Container,
        };
        var (read, write) = FileDescriptors.Pipe();
        using var devNull = new OwnedFd(FileDescriptors.Open("/dev/null", FileDescriptors.ORdonly));
        ContainerRecord? record = null;
        using var output = new FileStream(new SafeFileHandle(read.Release(), ownsHandle: true), FileAccess.Read);
        try
        {
            int exitCode;
            using (var init = engine.Launch(request, [devNull.Value, write.Value, write.Value]))
            {
                // The container holds the only writing end now: its exit is our end of file.
                write.Dispose();
                record = engine.Create(request);
                var relay = Task.Run(() => Relay(output, vertex));
                using var container = engine.Start(record, init, ProcessControl.CurrentPid);
                using (new SignalProxy(signal => container.Signal(signal)))
                    exitCode = container.WaitForExit();
                engine.RecordExit(record.Id, exitCode, container.OomKilled());
                relay.GetAwaiter().GetResult();
            }
            if (exitCode != 0)
                throw new BuildException($"process \"{string.Join(' ', command)}\" did not complete successfully: exit code: {exitCode}", exitCode);
            return new ContainerCommit(engine).WriteLayer(engine.Find(record.Id), store, pause: false);
        }
        finally
        {
            write.Dispose();
            if (record is not null) engine.Remove(record.Id, force: true);
        }
    }

    private static void Relay(Stream output, BuildProgress.Vertex vertex)
    {
        using var reader = new StreamReader(output, leaveOpen: true);
        while (reader.ReadLine() is { } line)
            vertex.Output(line);
    }
}
