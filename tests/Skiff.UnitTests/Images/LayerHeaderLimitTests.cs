using System.Formats.Tar;
using System.Text;
using Skiff.Images;

namespace Skiff.UnitTests.Images;

/// <summary>Crafted layers with headers no honest tar writer makes: each is refused by the member it
/// names, before anything is buffered for it, and the snapshot being made is removed whole.</summary>
public sealed class LayerHeaderLimitTests : IDisposable
{
    private readonly TempDir _scratch = new();
    private readonly SnapshotStore _snapshots;

    public LayerHeaderLimitTests() => _snapshots = new SnapshotStore(_scratch["store"]);

    public void Dispose() => _scratch.Dispose();

    /// <summary>Unpacks through the snapshot store, as a pull does, and checks that the refusal left
    /// neither a snapshot nor a temp dir, and that the scratch dir holds nothing new.</summary>
    private UnsafeLayerEntryException Refused(Stream layer)
    {
        var diffId = Digest.Compute("whatever the layer hashes to, it is refused first"u8);
        var error = Assert.Throws<UnsafeLayerEntryException>(() => _snapshots.Ensure(diffId, OciMediaTypes.Layer, () => layer));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scratch["store/snapshots"]));
        Assert.Equal(["snapshots"], Directory.EnumerateFileSystemEntries(_scratch["store"]).Select(Path.GetFileName));
        Assert.Equal(["store"], Directory.EnumerateFileSystemEntries(_scratch.Path).Select(Path.GetFileName));
        return error;
    }

    [Fact]
    public void A_pax_header_over_1_MiB_is_refused_by_name_without_being_read()
    {
        const int size = 2 << 20;
        var tar = new RawTar()
            .Header("evil", '0', 4).Data("ok\n\n"u8.ToArray())
            .Header("PaxHeaders.0/huge", 'x', size).Data(new MemoryStream(new byte[size]), size)
            .Header("huge", '0', 0)
            .Stream();

        var error = Refused(tar);

        Assert.Equal("PaxHeaders.0/huge", error.Member);
        Assert.Contains($"PAX extended header of {size} bytes", error.Message);
        Assert.Contains("1 MiB", error.Message);
        Assert.True(tar.Consumed < 64 << 10, $"read {tar.Consumed} bytes of a refused header");
    }

    [Fact]
    public void A_pax_header_of_exactly_1_MiB_is_accepted()
    {
        // Padding records fill the header to the limit; the member behind it unpacks.
        const int size = 1 << 20;
        var records = new StringBuilder(Record("path", "behind-a-big-header"));
        var filler = new string('a', 1000);
        for (var i = 0; records.Length + 1100 < size; i++)
            records.Append(Record($"SKIFF.pad{i}", filler));
        var remaining = size - records.Length;
        records.Append(Record("SKIFF.last", new string('b', remaining - " SKIFF.last=\n".Length - remaining.ToString().Length)));
        Assert.Equal(size, records.Length);
        var tar = new RawTar()
            .Header("PaxHeaders.0/big", 'x', size).Data(Encoding.ASCII.GetBytes(records.ToString()))
            .Header("placeholder", '0', 2).Data("hi"u8.ToArray())
            .Stream();
        var target = _scratch["target"];

        LayerUnpacker.Unpack(tar, target, applyOwnership: false);

        Assert.Equal("hi", File.ReadAllText(Path.Combine(target, "behind-a-big-header")));
    }

    private static string Record(string key, string value)
    {
        var body = $" {key}={value}\n";
        var length = body.Length + 1;
        while ((length.ToString() + body).Length != length)
            length++;
        return length + body;
    }

    [Theory]
    [InlineData('L')]
    [InlineData('K')]
    public void A_gnu_long_name_beyond_path_max_is_refused_naming_its_start(char type)
    {
        var longName = string.Join('/', Enumerable.Repeat("deep", 2000));
        var bytes = Encoding.ASCII.GetBytes(longName + "\0");
        var tar = new RawTar()
            .Header("././@LongLink", type, bytes.Length).Data(bytes)
            .Header("truncated", type == 'L' ? '0' : '2', 0)
            .Stream();

        var error = Refused(tar);

        Assert.StartsWith("deep/deep/deep", error.Member);
        Assert.EndsWith("…", error.Member);
        Assert.Contains($"of {bytes.Length} bytes", error.Message);
        Assert.Contains("PATH_MAX", error.Message);
    }

    [Fact]
    public void A_pax_path_beyond_path_max_is_refused()
    {
        var longName = string.Join('/', Enumerable.Repeat("deeper", 700));
        var layer = new TarBuilder().File("fine", "x").File(longName, "pwned").Stream();

        var error = Refused(layer);

        Assert.StartsWith("deeper/deeper/", error.Member);
        Assert.Contains("PATH_MAX", error.Message);
    }

    [Fact]
    public void A_symlink_whose_target_is_beyond_path_max_is_refused()
    {
        var layer = new TarBuilder().Symlink("link", new string('x', 5000)).Stream();

        var error = Refused(layer);

        Assert.Equal("link", error.Member);
        Assert.Contains("5000 bytes", error.Message);
    }

    [Theory]
    [InlineData("trusted.overlay.redirect", "/etc")]
    [InlineData("trusted.overlay.opaque", "y")]
    [InlineData("user.overlay.metacopy", "")]
    public void A_layer_setting_overlayfs_xattrs_is_refused(string xattr, string value)
    {
        var layer = new TarBuilder()
            .Dir("etc/")
            .WithRecords(TarEntryType.Directory, "etc/secret/", ($"SCHILY.xattr.{xattr}", value))
            .Stream();

        var error = Refused(layer);

        Assert.Equal("etc/secret/", error.Member);
        Assert.Contains(xattr, error.Message);
    }
}
