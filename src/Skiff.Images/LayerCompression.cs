using System.IO.Compression;

namespace Skiff.Images;

/// <summary>Turns a layer blob into its tar stream, decompressing while it is read so no layer is ever
/// held in memory.</summary>
public static class LayerCompression
{
    /// <summary>Decides by media type; covers the OCI, Docker and non-distributable spellings
    /// ("…tar", "…tar+gzip", "…tar.gzip", "…tar+zstd").</summary>
    public static Stream Decompress(Stream blob, string mediaType)
    {
        if (mediaType.EndsWith("+gzip", StringComparison.Ordinal) || mediaType.EndsWith(".tar.gzip", StringComparison.Ordinal))
            return new GZipStream(blob, CompressionMode.Decompress, leaveOpen: true);
        if (mediaType.EndsWith("+zstd", StringComparison.Ordinal))
            return new ZstdDecompressionStream(blob);
        if (mediaType.EndsWith(".tar", StringComparison.Ordinal) || mediaType.EndsWith(".diff.tar", StringComparison.Ordinal))
            return blob;
        throw new UnsupportedLayerException($"layer media type '{mediaType}' is not supported (supported: tar, tar+gzip, tar+zstd)");
    }

    /// <summary>The OCI media type for a layer whose type nobody recorded (docker-archive and
    /// rootfs imports), from its first bytes.</summary>
    public static string SniffMediaType(ReadOnlySpan<byte> head) => head switch
    {
        [0x1f, 0x8b, ..] => OciMediaTypes.LayerGzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => OciMediaTypes.LayerZstd,
        _ => OciMediaTypes.Layer,
    };
}

/// <summary>A layer this host cannot read: a media type Skiff does not know, or a decompressor that is not installed.</summary>
public sealed class UnsupportedLayerException(string message, Exception? inner = null) : ImageException(message, inner);
