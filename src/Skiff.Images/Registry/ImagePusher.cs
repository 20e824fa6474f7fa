namespace Skiff.Images.Registry;

public sealed record PushResult(ImageReference Target, Digest Digest, long ManifestSize);

/// <summary><c>skiff push</c>: every blob of the image's host-platform manifest that the registry lacks
/// (config and layers, in parallel), then the manifest's stored bytes, so the registry's digest is
/// the local one.</summary>
public sealed class ImagePusher(ImageStore store, RegistryOptions options)
{
    /// <param name="localReference">A local name or id.</param>
    /// <param name="target">Where to push; usually the same name.</param>
    public PushResult Push(string localReference, ImageReference target, Action<TransferProgress>? progress = null)
    {
        var found = store.Require(localReference);
        var (manifestDigest, manifest) = store.PlatformManifest(found.Digest);
        using var client = new RegistryClient(target.Domain, options);

        OciDescriptor[] blobs = [manifest.Config, .. manifest.Layers];
        foreach (var blob in blobs)
            progress?.Invoke(new TransferProgress(blob.Digest, TransferStatus.Waiting, 0, blob.Size));
        ParallelTransfer.Run(blobs.Length, options.ParallelTransfers, i =>
        {
            var blob = blobs[i];
            if (client.BlobExists(target.Path, blob.Digest))
            {
                progress?.Invoke(new TransferProgress(blob.Digest, TransferStatus.AlreadyExists, blob.Size, blob.Size));
                return;
            }
            var size = store.Content.SizeOf(blob.Digest);
            client.UploadBlob(target.Path, blob.Digest, size, () => store.Content.Open(blob.Digest),
                sent => progress?.Invoke(new TransferProgress(blob.Digest, TransferStatus.Transferring, sent, size)));
            progress?.Invoke(new TransferProgress(blob.Digest, TransferStatus.Complete, size, size));
        });

        var bytes = store.Content.ReadBytes(manifestDigest);
        var tagOrDigest = target.Digest?.ToString() ?? target.Tag ?? ImageReference.DefaultTag;
        if (target.Digest is { } pinned && pinned != manifestDigest)
            throw new ArgumentException($"cannot push {localReference} as {target}: its manifest digest is {manifestDigest}");
        client.PutManifest(target.Path, tagOrDigest, bytes, manifest.EffectiveMediaType);
        return new PushResult(target, manifestDigest, bytes.Length);
    }
}
