using System.Text.Json;

namespace Skiff.Images.Archives;

/// <summary><c>skiff import</c>: a flat root filesystem tar (plain, gzip or zstd) becomes a one-layer
/// image, its config shaped by <see cref="ConfigChanges"/>. The tar is unpacked at once, by the same
/// unpacker as every layer, so a damaged archive or a crafted member is refused here, naming it, and
/// leaves no image, blob or snapshot behind.</summary>
public static class RootfsImporter
{
    /// <returns>The new image's id.</returns>
    public static Digest Import(ImageStore store, Stream rootfsTar, ImageReference? name, IEnumerable<string> changes, string source)
    {
        // Bad --change values are refused before the archive is read.
        var containerConfig = ConfigChanges.Apply(new OciContainerConfig(), changes);
        using var addition = store.BeginAddition();
        var layerDigest = addition.Add(rootfsTar);
        if (store.Content.SizeOf(layerDigest) == 0)
            throw new InvalidImageException($"cannot import {source}: it is empty; give a tar of a root filesystem");
        string mediaType;
        Digest diffId;
        using (var blob = store.Content.Open(layerDigest))
        {
            Span<byte> head = stackalloc byte[4];
            mediaType = LayerCompression.SniffMediaType(head[..blob.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)]);
            blob.Position = 0;
            // The diff id is the digest of the uncompressed tar: one more streaming pass for compressed input.
            try
            {
                using var tar = LayerCompression.Decompress(blob, mediaType);
                diffId = Digest.Compute(tar);
            }
            catch (InvalidDataException)
            {
                throw new InvalidImageException($"cannot import {source}: its {(mediaType == OciMediaTypes.LayerGzip ? "gzip" : "zstd")} stream is damaged or truncated");
            }
        }
        try
        {
            var snapshot = addition.Unpack(diffId, mediaType, layerDigest);
            if (!Directory.EnumerateFileSystemEntries(snapshot).Any())
                throw new InvalidImageException("the archive holds no files; give a tar of a root filesystem");
        }
        catch (ImageException e)
        {
            throw new InvalidImageException($"cannot import {source}: {e.Message}; nothing was imported");
        }

        var now = DateTimeOffset.UtcNow;
        var config = new OciImageConfig
        {
            Created = now,
            Architecture = HostPlatform.Current.Architecture,
            Variant = HostPlatform.Current.Variant,
            Os = HostPlatform.Current.Os,
            Config = containerConfig,
            RootFs = new OciRootFs { DiffIds = [diffId] },
            History = [new OciHistory { Created = now, CreatedBy = "skiff import", Comment = "Imported from " + source }],
        };
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(config, OciJsonContext.Default.OciImageConfig);
        var configDigest = addition.AddBytes(configBytes);
        var manifest = new OciImageManifest
        {
            Config = new OciDescriptor { MediaType = OciMediaTypes.ImageConfig, Digest = configDigest, Size = configBytes.Length },
            Layers = [new OciDescriptor { MediaType = mediaType, Digest = layerDigest, Size = store.Content.SizeOf(layerDigest) }],
        };
        store.Publish(manifest, name);
        addition.Complete();
        return configDigest;
    }
}
