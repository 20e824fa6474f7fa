using System.Text.Json;
using Skiff.Engine.State;
using Skiff.Images;
using Skiff.Images.Archives;
using Skiff.Linux;

namespace Skiff.Engine.Containers;

/// <summary>What <c>skiff commit</c> asks for besides the container.</summary>
/// <param name="Reference">The new image's name; null keeps it unnamed (listed as &lt;none&gt;).</param>
/// <param name="Changes">Dockerfile instructions applied to the config (<see cref="ConfigChanges"/>).</param>
public sealed record CommitRequest(string? Reference, IReadOnlyList<string> Changes, string? Message, string? Author, bool Pause = true);

/// <summary>
/// commit: the container's overlay upper dir becomes one more layer on top of its image's, with a
/// config and manifest of its own. The layer is stored uncompressed, so its digest is its diff id.
/// </summary>
public sealed class ContainerCommit(ContainerEngine engine)
{
    /// <returns>The new image's id (its config digest).</returns>
    public Digest Commit(string reference, CommitRequest request)
    {
        var name = request.Reference is { } r ? ImageReference.Parse(r) : null;
        var record = engine.Find(reference);
        var store = new ImageStore(engine.Paths.Images);
        var parent = store.Require(record.ImageId);
        var (_, parentManifest) = store.PlatformManifest(parent.Digest);
        var parentConfig = store.ReadConfig(parentManifest.Config.Digest);
        var config = ConfigChanges.Apply(parentConfig.Config ?? new OciContainerConfig(), request.Changes);

        using var lease = store.LeaseForWriting();
        var layer = WriteLayer(record, store, request.Pause);
        CrashPoint.Reached("commit:layer-written");
        var now = DateTimeOffset.UtcNow;
        var newConfig = parentConfig with
        {
            Created = now,
            Author = request.Author ?? parentConfig.Author,
            Config = config,
            RootFs = parentConfig.RootFs with { DiffIds = [.. parentConfig.RootFs.DiffIds, layer] },
            History =
            [
                .. parentConfig.History ?? [],
                new OciHistory { Created = now, CreatedBy = string.Join(' ', CommandOf(record)), Author = request.Author, Comment = request.Message },
            ],
        };
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(newConfig, OciJsonContext.Default.OciImageConfig);
        var configDigest = store.Content.WriteBytes(configBytes);
        CrashPoint.Reached("commit:config-written");
        var manifest = new OciImageManifest
        {
            Config = new OciDescriptor { MediaType = OciMediaTypes.ImageConfig, Digest = configDigest, Size = configBytes.Length },
            Layers = [.. parentManifest.Layers, new OciDescriptor { MediaType = OciMediaTypes.Layer, Digest = layer, Size = store.Content.SizeOf(layer) }],
        };
        // The name is written last, in one rename: until then nothing of the new image is visible.
        store.Publish(manifest, name);
        CrashPoint.Reached("commit:published");
        return configDigest;
    }

    /// <summary>
    /// The container's changes as a layer in the store (also each RUN step of a build). Docker pauses
    /// by default so the layer is one moment of the container, not a smear of several.
    /// The pause is a real one, recorded: a commit killed meanwhile leaves a container that says it
    /// is paused (as it is) until someone unpauses it.
    /// </summary>
    /// <returns>The layer's digest, which is also its diff id (it is stored uncompressed).</returns>
    public Digest WriteLayer(ContainerRecord record, ImageStore store, bool pause)
    {
        var upper = Path.Join(engine.Paths.Container(record.Id), "upper");
        var freezer = new ContainerFreezer(engine);
        var freeze = pause && record.Status == ContainerStatus.Running;
        if (freeze) freezer.Pause(record.Id);
        try
        {
            CrashPoint.Reached("commit:paused");
            Digest digest = default;
            TreeArchive.Pipe(LayerDiff.Members(upper).Where(m => !IsNetworkFileStub(m)), tar => digest = store.Content.Write(tar));
            return digest;
        }
        finally
        {
            // Stopped meanwhile (rm -f, kill): there is nothing left to unpause.
            if (freeze && engine.Find(record.Id).Status == ContainerStatus.Paused) freezer.Unpause(record.Id);
        }
    }

    /// <summary>
    /// The empty files the runtime makes in the upper dir to bind-mount /etc/hostname, /etc/hosts
    /// and /etc/resolv.conf on when the image has none: they belong to the container, not to its
    /// changes (Docker keeps them in an init layer that commit leaves out), and would hide a later
    /// layer's real files.
    /// </summary>
    private static bool IsNetworkFileStub(ArchiveMember member) =>
        !member.Whiteout && member.Name is "etc/hostname" or "etc/hosts" or "etc/resolv.conf"
        && new FileInfo(member.Path) is { Exists: true, Length: 0, LinkTarget: null };

    private static IReadOnlyList<string> CommandOf(ContainerRecord record) =>
        [.. record.Request.Entrypoint ?? [], .. record.Request.Command];
}
