using System.Security.Cryptography;
using IOPath = System.IO.Path;
using Skiff.Linux;

namespace Skiff.Images;

/// <summary>Blobs addressed by their SHA-256, laid out as an OCI image layout does:
/// <c>&lt;root&gt;/blobs/sha256/&lt;hex&gt;</c>. A blob appears under its final name only once it is
/// complete, hashed and on disk, so a reader never sees a partial blob and an interrupted write
/// leaves at most a temp file.</summary>
public sealed class ContentStore
{
    private const int CopyBufferSize = 1 << 20;
    private readonly string _dir;

    public ContentStore(string root)
    {
        _dir = IOPath.Combine(root, "blobs", "sha256");
        Directory.CreateDirectory(_dir);
    }

    public string Path(Digest digest) => IOPath.Combine(_dir, digest.Hex);

    public bool Exists(Digest digest) => File.Exists(Path(digest));

    /// <summary>Every complete blob; temp files of writes in progress are not digests and are skipped.</summary>
    public IEnumerable<Digest> List() =>
        Directory.EnumerateFiles(_dir)
            .Select(f => Digest.TryParse(Digest.Sha256Prefix + IOPath.GetFileName(f), out var d) ? d : (Digest?)null)
            .OfType<Digest>();

    public long SizeOf(Digest digest) => new FileInfo(Path(digest)).Length;

    public Stream Open(Digest digest)
    {
        try
        {
            return new FileStream(Path(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            throw new BlobNotFoundException(digest);
        }
    }

    public byte[] ReadBytes(Digest digest)
    {
        try
        {
            return File.ReadAllBytes(Path(digest));
        }
        catch (FileNotFoundException)
        {
            throw new BlobNotFoundException(digest);
        }
    }

    public Digest Write(Stream content) => WriteCore(content, expected: null, out _);

    /// <summary>Stores the content only if it hashes to <paramref name="expected"/>; otherwise throws
    /// <see cref="DigestMismatchException"/> and leaves nothing behind.</summary>
    public Digest Write(Stream content, Digest expected) => WriteCore(content, expected, out _);

    /// <param name="created">Whether the store lacked the blob before this write.</param>
    public Digest Write(Stream content, Digest? expected, out bool created) => WriteCore(content, expected, out created);

    public Digest WriteBytes(ReadOnlySpan<byte> content)
    {
        var digest = Digest.Compute(content);
        if (Exists(digest))
            return digest;
        var temp = TempPath();
        try
        {
            using (var file = CreateTemp(temp))
            {
                file.Write(content);
                file.Flush(flushToDisk: true);
            }
            Publish(temp, digest);
        }
        catch (Exception e)
        {
            File.Delete(temp);
            if (ImageStoreFullException.From(e, _dir) is { } full) throw full;
            throw;
        }
        return digest;
    }

    private Digest WriteCore(Stream content, Digest? expected, out bool created)
    {
        var temp = TempPath();
        try
        {
            Digest actual;
            using (var file = CreateTemp(temp))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[CopyBufferSize];
                int read;
                while ((read = content.Read(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    file.Write(buffer, 0, read);
                    CrashPoint.Reached("blob:partly-written");
                }
                actual = Digest.FromSha256(hash.GetHashAndReset());
                if (expected is { } want && want != actual)
                    throw new DigestMismatchException(want, actual);
                file.Flush(flushToDisk: true);
            }
            created = !Exists(actual);
            Publish(temp, actual);
            return actual;
        }
        catch (Exception e)
        {
            File.Delete(temp);
            if (ImageStoreFullException.From(e, _dir) is { } full) throw full;
            throw;
        }
    }

    // rename(2) replaces atomically; if another writer won the race it stored identical bytes.
    private void Publish(string temp, Digest digest)
    {
        File.Move(temp, Path(digest), overwrite: true);
        FileNodes.FsyncDirectory(_dir);
    }

    // Same directory as the final name so the rename never crosses a filesystem; the dot prefix
    // keeps temp files from ever parsing as a digest.
    private string TempPath() => IOPath.Combine(_dir, InterruptedWrites.TempName($"{Guid.NewGuid():N}"));

    /// <summary>Removes the temp files of writers that were killed before they finished.</summary>
    public void SweepInterrupted() => InterruptedWrites.Sweep(_dir);

    private static FileStream CreateTemp(string path) =>
        new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
}

public sealed class DigestMismatchException(Digest expected, Digest actual)
    : ImageException($"content digest mismatch: expected {expected} but the content hashes to {actual}; nothing was stored")
{
    public Digest Expected { get; } = expected;
    public Digest Actual { get; } = actual;
}

public sealed class BlobNotFoundException(Digest digest)
    : ImageException($"blob {digest} is missing from the content store")
{
    public Digest Digest { get; } = digest;
}
