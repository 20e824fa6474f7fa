using Skiff.Linux;

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
        var mountSources = MountSources(target, found.Digest);
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
            Uri? session = null;
            if (mountSources.GetValueOrDefault(blob.Digest) is { } source && TryMount(client, target.Path, blob.Digest, source, out session))
            {
                progress?.Invoke(new TransferProgress(blob.Digest, TransferStatus.Mounted, blob.Size, blob.Size, source));
                return;
            }
            var size = store.Content.SizeOf(blob.Digest);
            client.UploadBlob(target.Path, blob.Digest, size, () => store.Content.Open(blob.Digest),
                sent => progress?.Invoke(new TransferProgress(blob.Digest, TransferStatus.Transferring, sent, size)), session);
            progress?.Invoke(new TransferProgress(blob.Digest, TransferStatus.Complete, size, size));
        });

        var bytes = store.Content.ReadBytes(manifestDigest);
        var tagOrDigest = target.Digest?.ToString() ?? target.Tag ?? ImageReference.DefaultTag;
        if (target.Digest is { } pinned && pinned != manifestDigest)
            throw new InvalidInputException($"cannot push {localReference} as {target}: its manifest digest is {manifestDigest}");
        client.PutManifest(target.Path, tagOrDigest, bytes, manifest.EffectiveMediaType);
        return new PushResult(target, manifestDigest, bytes.Length);
    }

    /// <summary>A mount is only a shortcut: a registry that refuses it outright (rather than with the
    /// spec's 202 and an upload session) still gets the blob uploaded, in a session of its own.</summary>
    private static bool TryMount(RegistryClient client, string repository, Digest blob, string source, out Uri? session)
    {
        session = null;
        try
        {
            session = client.MountBlob(repository, blob, source);
            return session is null;
        }
        catch (RegistryException)
        {
            return false;
        }
    }

    /// <summary>For each blob, another repository of the target's registry that should hold it: local
    /// names record where images came from (a pull) or went (a push), and the image being pushed under
    /// one of them first is the likeliest to be there. Names are read, not trusted: a registry that
    /// lacks the blob there answers the mount with an upload session.</summary>
    private Dictionary<Digest, string> MountSources(ImageReference target, Digest pushed)
    {
        var sources = new Dictionary<Digest, string>();
        var candidates = store.References()
            .Select(r => (Reference: ImageReference.TryParse(r.Key, out var parsed) ? parsed : null, Manifest: r.Value))
            .Where(r => r.Reference is not null && r.Reference.Domain == target.Domain && r.Reference.Path != target.Path)
            .OrderByDescending(r => r.Manifest == pushed);
        foreach (var (reference, manifest) in candidates)
        {
            OciImageManifest platform;
            try
            {
                platform = store.PlatformManifest(manifest).Manifest;
            }
            catch (Exception e) when (e is InvalidDataException or ImageException)
            {
                continue;
            }
            foreach (var blob in platform.Layers.Append(platform.Config))
                sources.TryAdd(blob.Digest, reference!.Path);
        }
        return sources;
    }
}
