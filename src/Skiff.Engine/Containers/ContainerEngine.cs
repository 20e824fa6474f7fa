using System.Security.Cryptography;
using Skiff.Images;
using Skiff.Linux;
using Skiff.Runtime;
using Skiff.Runtime.Spec;
using Skiff.Runtime.Start;

namespace Skiff.Engine.Containers;

/// <summary>A container whose bundle is written and which can be started.</summary>
public sealed record PreparedContainer(string Id, string Name, string BundleDir, RuntimeSpec Spec);

/// <summary>Containers: from a run request to a bundle on disk, a running process, and back to nothing.</summary>
public sealed class ContainerEngine(SkiffPaths paths)
{
    public PreparedContainer Create(RunRequest request)
    {
        Validate(request);
        var image = new ImageStore(paths.Images).Resolve(request.Image);
        StartTimeline.Mark("image resolved");
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var bundle = paths.Container(id);
        try
        {
            Directory.CreateDirectory(Path.Join(bundle, "rootfs"));
            Directory.CreateDirectory(Path.Join(bundle, "upper"));
            Directory.CreateDirectory(Path.Join(bundle, "work"));
            var hostname = request.Hostname ?? ContainerFiles.DefaultHostname(id, request.Network);
            ContainerFiles.Write(bundle, hostname, request.Network);
            var spec = ContainerSpecBuilder.Build(request, image, id, bundle, hostname);
            return new PreparedContainer(id, request.Name ?? id[..12], bundle, spec);
        }
        catch
        {
            Directory.Delete(bundle, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Spawns the container's init in its namespaces right away, before the image is even resolved:
    /// .NET's start-up in the child then overlaps everything <see cref="Create"/> does.
    /// </summary>
    public PendingInit Launch(RunRequest request, int[]? stdio) =>
        PendingInit.Launch(ContainerSpecBuilder.Namespaces(request), stdio);

    public RunningContainer Start(PreparedContainer container, PendingInit init)
    {
        var running = ContainerRuntime.Start(new StartOptions { Id = container.Id, Spec = container.Spec, BundleDir = container.BundleDir, Init = init });
        // The bundle's config.json is the record of what runs (for OCI tools and inspect), not an
        // input: written once the program runs, it costs the start path nothing.
        RuntimeSpecJson.Write(Path.Join(container.BundleDir, "config.json"), container.Spec);
        return running;
    }

    public void Remove(PreparedContainer container)
    {
        if (Directory.Exists(container.BundleDir)) Directory.Delete(container.BundleDir, recursive: true);
    }

    private static void Validate(RunRequest request)
    {
        var r = request.Resources;
        // The kernel needs some headroom to start anything at all; Docker refuses less than 6 MB.
        if (r.MemoryBytes is < 6 * 1024 * 1024)
            throw new ArgumentException("minimum memory limit allowed is 6MB");
        if (r.MemorySwapBytes is { } swap && swap != -1)
        {
            if (r.MemoryBytes is null)
                throw new ArgumentException("you should always set the memory limit when using a memory-swap limit; see --memory");
            if (swap < r.MemoryBytes)
                throw new ArgumentException("minimum memory-swap limit should be larger than the memory limit; see --memory-swap");
        }
        if (r.Cpus is <= 0) throw new ArgumentException("--cpus must be greater than 0");
        if (r.Cpus is { } cpus && cpus > Environment.ProcessorCount)
            throw new ArgumentException($"range of CPUs is from 0.01 to {Environment.ProcessorCount}.00, as there are only {Environment.ProcessorCount} CPUs available");
        if (r.PidsLimit is 0) throw new ArgumentException("--pids-limit must be positive, or -1 for unlimited");
    }
}
