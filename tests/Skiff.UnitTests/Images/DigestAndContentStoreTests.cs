using Skiff.Linux;
using System.Text;
using Skiff.Images;

namespace Skiff.UnitTests.Images;

public sealed class DigestAndContentStoreTests : IDisposable
{
    private readonly TempDir _root = new();

    public void Dispose() => _root.Dispose();

    private const string HelloDigest = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    [Fact]
    public void Digest_parses_and_prints_sha256_form()
    {
        var digest = Digest.Parse(HelloDigest);
        Assert.Equal(HelloDigest, digest.ToString());
        Assert.Equal(HelloDigest[7..], digest.Hex);
        Assert.Equal(digest, Digest.Compute("hello"u8));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha256:")]
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")]
    [InlineData("sha256:2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824")]
    [InlineData("sha512:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")]
    [InlineData("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982")]
    [InlineData("sha256:../../../../../../../../../../../../../../../../etc/passwd/x")]
    [InlineData("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982/")]
    public void Digest_parse_rejects_anything_that_is_not_lowercase_sha256_hex(string text)
    {
        Assert.False(Digest.TryParse(text, out _));
        Assert.Throws<InvalidInputException>(() => Digest.Parse(text));
    }

    [Fact]
    public void Write_stores_content_under_its_digest()
    {
        var store = new ContentStore(_root.Path);
        var digest = store.Write(new MemoryStream("hello"u8.ToArray()));

        Assert.Equal(HelloDigest, digest.ToString());
        Assert.True(store.Exists(digest));
        Assert.Equal(_root[$"blobs/sha256/{digest.Hex}"], store.Path(digest));
        using var reader = new StreamReader(store.Open(digest));
        Assert.Equal("hello", reader.ReadToEnd());
    }

    [Fact]
    public void Write_with_expected_digest_rejects_corrupt_content_and_leaves_no_file()
    {
        var store = new ContentStore(_root.Path);
        var expected = Digest.Parse(HelloDigest);

        var error = Assert.Throws<DigestMismatchException>(() => store.Write(new MemoryStream("hellO"u8.ToArray()), expected));

        Assert.Equal(expected, error.Expected);
        Assert.Contains(HelloDigest, error.Message);
        Assert.False(store.Exists(expected));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root["blobs/sha256"]));
    }

    [Fact]
    public void Write_with_matching_expected_digest_is_stored_and_rewriting_is_harmless()
    {
        var store = new ContentStore(_root.Path);
        var expected = Digest.Parse(HelloDigest);

        Assert.Equal(expected, store.Write(new MemoryStream("hello"u8.ToArray()), expected));
        Assert.Equal(expected, store.WriteBytes("hello"u8));

        Assert.Single(Directory.EnumerateFileSystemEntries(_root["blobs/sha256"]));
        Assert.Equal("hello", Encoding.UTF8.GetString(store.ReadBytes(expected)));
    }

    [Fact]
    public void Opening_a_missing_blob_names_the_digest()
    {
        var store = new ContentStore(_root.Path);
        var error = Assert.Throws<BlobNotFoundException>(() => store.Open(Digest.Parse(HelloDigest)));
        Assert.Contains(HelloDigest, error.Message);
    }
}
