using System.Security.Cryptography;
using System.Text.Json;

namespace Skiff.Images.Archives;

/// <summary><c>skiff import</c>: a flat root filesystem tar (plain, gzip or zstd) becomes a one-layer
/// image, its config shaped by <see cref="ConfigChanges"/>.</summary>
public static class RootfsImporter
{
    /// <returns>The new image's id.</returns>
    public static Digest Import(ImageStore store, Stream rootfsTar, ImageReference? name, IEnumerable<string> changes, string source)
    {
        using var lease = store.LeaseForWriting();
        var layerDigest = store.Content.Write(rootfsTar);
        string mediaType;
        Digest diffId;
        using (var blob = store.Content.Open(layerDigest))
        {
            Span<byte> head = stackalloc byte[4];
            mediaType = LayerCompression.SniffMediaType(head[..blob.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)]);
            blob.Position = 0;
            // The diff id is the digest of the uncompressed tar: one more streaming pass for compressed input.
            using var tar = LayerCompression.Decompress(blob, mediaType);
            diffId = Digest.FromSha256(SHA256.HashData(tar));
        }

        var now = DateTimeOffset.UtcNow;
        var config = new OciImageConfig
        {
            Created = now,
            Architecture = HostPlatform.Current.Architecture,
            Variant = HostPlatform.Current.Variant,
            Os = HostPlatform.Current.Os,
            Config = ConfigChanges.Apply(new OciContainerConfig(), changes),
            RootFs = new OciRootFs { DiffIds = [diffId] },
            History = [new OciHistory { Created = now, CreatedBy = "skiff import", Comment = "Imported from " + source }],
        };
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(config, OciJsonContext.Default.OciImageConfig);
        var configDigest = store.Content.WriteBytes(configBytes);
        var manifest = new OciImageManifest
        {
            Config = new OciDescriptor { MediaType = OciMediaTypes.ImageConfig, Digest = configDigest, Size = configBytes.Length },
            Layers = [new OciDescriptor { MediaType = mediaType, Digest = layerDigest, Size = store.Content.SizeOf(layerDigest) }],
        };
        store.Publish(manifest, name);
        return configDigest;
    }
}
