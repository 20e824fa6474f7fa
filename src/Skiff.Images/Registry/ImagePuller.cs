using System.Text.Json;

namespace Skiff.Images.Registry;

/// <param name="Digest">What the registry calls the image (an index for multi-platform images).</param>
/// <param name="Downloaded">False when everything was already here and the name already pointed at it.</param>
public sealed record PullResult(ImageReference Reference, Digest Digest, Digest ImageId, bool Downloaded);

/// <summary><c>skiff pull</c>: manifest (through an index to this host's platform), config and layers
/// into the content store, each verified against its digest while it streams in, layers in parallel
/// and skipped when present, each unpacked into its snapshot, and finally the name recorded.</summary>
public sealed class ImagePuller(ImageStore store, RegistryOptions options)
{
    public PullResult Pull(ImageReference reference, Action<TransferProgress>? progress = null)
    {
        using var lease = store.LeaseForWriting();
        using var client = new RegistryClient(reference.Domain, options);
        var repository = reference.Path;

        var top = client.GetManifest(repository, reference.Digest?.ToString() ?? reference.Tag ?? ImageReference.DefaultTag);
        var fetched = false;
        fetched |= Store(top.Bytes);
        var manifestBytes = top.Bytes;
        var manifestDigest = top.Digest;
        var probe = JsonSerializer.Deserialize(top.Bytes, OciJsonContext.Default.ManifestProbe);
        if (ImageStore.IsIndex(probe) || OciMediaTypes.IsIndex(top.MediaType))
        {
            var index = JsonSerializer.Deserialize(top.Bytes, OciJsonContext.Default.OciImageIndex)
                        ?? throw new RegistryException($"{reference}: empty image index");
            var entry = HostPlatform.Choose(index.Manifests, HostPlatform.Current)
                        ?? throw new RegistryException(
                            $"{reference} has no image for {HostPlatform.Describe(HostPlatform.Current)}; it has: " +
                            string.Join(", ", index.Manifests.Where(m => m.Platform is not null).Select(m => HostPlatform.Describe(m.Platform!))));
            var platformManifest = client.GetManifest(repository, entry.Digest.ToString());
            fetched |= Store(platformManifest.Bytes);
            (manifestBytes, manifestDigest) = (platformManifest.Bytes, platformManifest.Digest);
        }

        var manifest = JsonSerializer.Deserialize(manifestBytes, OciJsonContext.Default.OciImageManifest);
        if (manifest?.Config is null || manifest.Layers is null || !OciMediaTypes.IsManifest(manifest.EffectiveMediaType))
            throw new RegistryException(
                $"{reference}: manifest {manifestDigest} has media type '{manifest?.MediaType}'; Skiff reads OCI and Docker schema 2 manifests only");

        fetched |= FetchBlob(client, repository, manifest.Config, progress: null);
        var config = store.ReadConfig(manifest.Config.Digest);
        if (config.RootFs.DiffIds.Count != manifest.Layers.Count)
            throw new RegistryException(
                $"{reference}: manifest {manifestDigest} has {manifest.Layers.Count} layers but its config lists {config.RootFs.DiffIds.Count} diff_ids");

        foreach (var layer in manifest.Layers)
            progress?.Invoke(new TransferProgress(layer.Digest, TransferStatus.Waiting, 0, layer.Size));
        var layersFetched = 0;
        ParallelTransfer.Run(manifest.Layers.Count, options.ParallelTransfers, i =>
        {
            var layer = manifest.Layers[i];
            if (FetchBlob(client, repository, layer, progress))
                Interlocked.Increment(ref layersFetched);
            progress?.Invoke(new TransferProgress(layer.Digest, TransferStatus.Extracting, layer.Size, layer.Size));
            store.Snapshots.Ensure(config.RootFs.DiffIds[i], layer.MediaType, () => store.Content.Open(layer.Digest));
            progress?.Invoke(new TransferProgress(layer.Digest, TransferStatus.Complete, layer.Size, layer.Size));
        });

        Skiff.Linux.CrashPoint.Reached("pull:layers-stored");
        var renamed = store.Find(ImageStore.KeyOf(reference))?.Digest != top.Digest;
        store.SetReference(reference, top.Digest);
        return new PullResult(reference, top.Digest, manifest.Config.Digest, fetched || layersFetched > 0 || renamed);
    }

    private bool Store(byte[] manifest)
    {
        var digest = Digest.Compute(manifest);
        if (store.Content.Exists(digest))
            return false;
        store.Content.WriteBytes(manifest);
        return true;
    }

    /// <summary>Streams the blob into the content store unless it is there; returns whether it fetched.</summary>
    private bool FetchBlob(RegistryClient client, string repository, OciDescriptor blob, Action<TransferProgress>? progress)
    {
        if (store.Content.Exists(blob.Digest))
        {
            progress?.Invoke(new TransferProgress(blob.Digest, TransferStatus.AlreadyExists, blob.Size, blob.Size));
            return false;
        }
        using var body = new ResumingBlobStream(offset => client.GetBlob(repository, blob.Digest, offset), blob.Size,
            read => progress?.Invoke(new TransferProgress(blob.Digest, TransferStatus.Transferring, read, blob.Size)),
            $"blob {blob.Digest} of {client.Domain}/{repository}");
        store.Content.Write(body, blob.Digest);
        return true;
    }
}
