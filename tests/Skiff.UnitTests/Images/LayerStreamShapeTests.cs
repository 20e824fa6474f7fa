using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Skiff.Images;

namespace Skiff.UnitTests.Images;

/// <summary>Layers shaped as real writers and real transports shape them: multi-megabyte members of
/// real binaries, read through decompressors and sockets that return whatever they have (short reads
/// of random sizes), and tars that stop right after their last member, as umoci's insert writes them
/// and Go's archive/tar reads them. The unpack goes through the snapshot store, as a pull does.</summary>
public sealed class LayerStreamShapeTests : IDisposable
{
    private readonly TempDir _scratch = new();
    private readonly SnapshotStore _snapshots;

    public LayerStreamShapeTests() => _snapshots = new SnapshotStore(_scratch["store"]);

    public void Dispose() => _scratch.Dispose();

    // Real binaries at real sizes: busybox-static (1.9 MB) and the runtime's own CoreLib (10+ MB).
    private static readonly string[] RealFiles = ["/bin/busybox", typeof(object).Assembly.Location];

    private static byte[] RealLayer(TarEntryFormat format, bool terminated = true)
    {
        using var output = new MemoryStream();
        var writer = new TarWriter(output, format, leaveOpen: true);
        writer.WriteEntry(Entry(format, TarEntryType.Directory, "bin/"));
        writer.WriteEntry(Entry(format, TarEntryType.SymbolicLink, "bin/sh", link: "busybox"));
        writer.WriteEntry(Entry(format, TarEntryType.RegularFile, "lib/corelib.dll", data: RealFiles[1]));
        writer.WriteEntry(Entry(format, TarEntryType.HardLink, "lib/corelib-again.dll", link: "lib/corelib.dll"));
        writer.WriteEntry(Entry(format, TarEntryType.RegularFile, "bin/busybox", data: RealFiles[0]));
        // Without Dispose the writer leaves out the two end-of-archive blocks.
        if (terminated)
            writer.Dispose();
        return output.ToArray();
    }

    private static TarEntry Entry(TarEntryFormat format, TarEntryType type, string name, string? link = null, string? data = null)
    {
        if (format is TarEntryFormat.V7 && type is TarEntryType.RegularFile)
            type = TarEntryType.V7RegularFile;
        TarEntry entry = format switch
        {
            TarEntryFormat.Pax => new PaxTarEntry(type, name),
            TarEntryFormat.Gnu => new GnuTarEntry(type, name),
            TarEntryFormat.Ustar => new UstarTarEntry(type, name),
            _ => new V7TarEntry(type, name),
        };
        entry.Mode = (UnixFileMode)0x1ed; // 0755
        entry.ModificationTime = TarBuilder.Mtime;
        if (link is not null)
            entry.LinkName = link;
        if (data is not null)
            entry.DataStream = new MemoryStream(File.ReadAllBytes(data));
        return entry;
    }

    private static byte[] Gzip(byte[] tar)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(tar);
        return output.ToArray();
    }

    private string UnpackThroughShortReads(byte[] tar, int seed, bool compressed)
    {
        var diffId = Digest.Compute(tar);
        var blob = compressed ? Gzip(tar) : tar;
        return _snapshots.Ensure(diffId, compressed ? OciMediaTypes.LayerGzip : OciMediaTypes.Layer,
            () => new ShortReadStream(new MemoryStream(blob), seed));
    }

    private static void AssertSameBytes(string expected, string actual) =>
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(expected)), SHA256.HashData(File.ReadAllBytes(actual)));

    [Theory]
    [InlineData(TarEntryFormat.Pax, 1, true)]
    [InlineData(TarEntryFormat.Gnu, 2, true)]
    [InlineData(TarEntryFormat.Ustar, 3, false)]
    [InlineData(TarEntryFormat.V7, 4, false)]
    public void Multi_megabyte_members_unpack_whole_through_short_reads(TarEntryFormat format, int seed, bool compressed)
    {
        var snapshot = UnpackThroughShortReads(RealLayer(format), seed, compressed);

        AssertSameBytes("/bin/busybox", Path.Combine(snapshot, "bin/busybox"));
        AssertSameBytes(RealFiles[1], Path.Combine(snapshot, "lib/corelib.dll"));
        Assert.Equal("busybox", new FileInfo(Path.Combine(snapshot, "bin/sh")).LinkTarget);
        Assert.Equal(FileStat.Of(Path.Combine(snapshot, "lib/corelib.dll"), "%i"), FileStat.Of(Path.Combine(snapshot, "lib/corelib-again.dll"), "%i"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_tar_that_stops_after_its_last_member_unpacks_as_go_reads_it(bool withPadding)
    {
        // umoci 0.4.7's insert writes this shape: no end-of-archive blocks, and no padding after the
        // last member's data either.
        var tar = RealLayer(TarEntryFormat.Pax, terminated: false);
        var busybox = new FileInfo("/bin/busybox").Length;
        if (!withPadding)
            tar = tar[..^(int)((512 - busybox % 512) % 512)];

        var snapshot = UnpackThroughShortReads(tar, seed: 5, compressed: true);

        AssertSameBytes("/bin/busybox", Path.Combine(snapshot, "bin/busybox"));
        AssertSameBytes(RealFiles[1], Path.Combine(snapshot, "lib/corelib.dll"));
    }

    [Fact]
    public void A_tar_cut_inside_a_member_is_refused_naming_the_member_and_leaves_no_snapshot()
    {
        var tar = RealLayer(TarEntryFormat.Pax);
        var cut = tar[..(tar.Length - 1024 - 600_000)];

        var error = Assert.Throws<LayerMemberException>(() => UnpackThroughShortReads(cut, seed: 6, compressed: true));

        Assert.Equal("bin/busybox", error.Member);
        Assert.Contains("truncated", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scratch["store/snapshots"]));
    }

    [Fact]
    public void A_tar_cut_inside_a_header_is_refused_naming_the_member_before_it()
    {
        var full = RealLayer(TarEntryFormat.Ustar, terminated: false);
        var busyboxHeader = full.Length - (int)((new FileInfo("/bin/busybox").Length + 511) / 512 * 512) - 512;

        var error = Assert.Throws<LayerMemberException>(() => UnpackThroughShortReads(full[..(busyboxHeader + 100)], seed: 7, compressed: false));

        Assert.Contains("lib/corelib-again.dll", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Random_bytes_are_refused_as_no_tar()
    {
        var noise = new byte[64 << 10];
        new Random(8).NextBytes(noise);

        var error = Assert.Throws<LayerMemberException>(() => UnpackThroughShortReads(noise, seed: 8, compressed: false));

        Assert.Contains("not a tar archive", error.Message);
    }
}

/// <summary>Returns at most a random number of bytes per read (1 byte to 64 KiB), as a socket or a
/// decompressor does, so a reader that assumes full reads comes apart.</summary>
internal sealed class ShortReadStream(Stream inner, int seed) : ForwardReadStream
{
    private readonly Random _random = new(seed);

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
            return 0;
        var most = _random.Next(4) == 0 ? _random.Next(1, 16) : _random.Next(1, 64 << 10);
        return inner.Read(buffer[..Math.Min(buffer.Length, most)]);
    }
}
