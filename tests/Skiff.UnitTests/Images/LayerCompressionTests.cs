using Skiff.Linux;
using System.Diagnostics;
using System.IO.Compression;
using Skiff.Images;

namespace Skiff.UnitTests.Images;

public sealed class LayerCompressionTests
{
    private static readonly byte[] Tar = new TarBuilder().Dir("etc/").File("etc/hostname", "skiff\n").Bytes();

    [Fact]
    public void Gzip_and_plain_layers_decompress_to_the_same_tar()
    {
        var gzip = new MemoryStream();
        using (var z = new GZipStream(gzip, CompressionLevel.Fastest, leaveOpen: true))
            z.Write(Tar);

        Assert.Equal(Tar, ReadAll(LayerCompression.Decompress(new MemoryStream(gzip.ToArray()), OciMediaTypes.DockerLayerGzip)));
        Assert.Equal(Tar, ReadAll(LayerCompression.Decompress(new MemoryStream(Tar), OciMediaTypes.Layer)));
        Assert.Equal(OciMediaTypes.LayerGzip, LayerCompression.SniffMediaType(gzip.ToArray()));
        Assert.Equal(OciMediaTypes.Layer, LayerCompression.SniffMediaType(Tar));
    }

    [Fact]
    public void Zstd_layers_decompress_through_libzstd_and_truncation_is_an_error()
    {
        var zstd = Compress(Tar);

        Assert.Equal(OciMediaTypes.LayerZstd, LayerCompression.SniffMediaType(zstd));
        Assert.Equal(Tar, ReadAll(LayerCompression.Decompress(new MemoryStream(zstd), OciMediaTypes.LayerZstd)));
        Assert.Throws<InvalidDataException>(() => ReadAll(LayerCompression.Decompress(new MemoryStream(zstd[..(zstd.Length / 2)]), OciMediaTypes.LayerZstd)));
    }

    [Fact]
    public void An_unknown_layer_type_names_itself()
    {
        var error = Assert.Throws<UnsupportedLayerException>(() => LayerCompression.Decompress(Stream.Null, "application/x-unknown"));
        Assert.Contains("application/x-unknown", error.Message);
    }

    private static byte[] Compress(byte[] data)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir["layer.tar"], data);
        using (var zstd = Process.Start("zstd", ["-q", dir["layer.tar"], "-o", dir["layer.tar.zst"]]))
        {
            zstd.WaitForExit();
            Assert.Equal(0, zstd.ExitCode);
        }
        return File.ReadAllBytes(dir["layer.tar.zst"]);
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
