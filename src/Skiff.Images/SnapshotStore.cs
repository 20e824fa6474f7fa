using System.Security.Cryptography;
using Skiff.Linux;

namespace Skiff.Images;

/// <summary>Each layer unpacked once, into <c>&lt;root&gt;/snapshots/&lt;diff-id hex&gt;/</c>, to be
/// shared as an overlay lower dir by every image and container that uses it. A snapshot is unpacked
/// into a temp dir and renamed into place once complete and synced, so the final name only ever
/// holds a whole layer.</summary>
public sealed class SnapshotStore
{
    private readonly string _dir;

    public SnapshotStore(string root)
    {
        _dir = Path.Combine(root, "snapshots");
        Directory.CreateDirectory(_dir);
    }

    public string PathOf(Digest diffId) => Path.Combine(_dir, diffId.Hex);

    public bool Exists(Digest diffId) => Directory.Exists(PathOf(diffId));

    /// <summary>Removes the half-unpacked and half-removed trees of writers that were killed before they finished.</summary>
    public void SweepInterrupted() => InterruptedWrites.Sweep(_dir);

    /// <summary>The diff ids of every complete snapshot.</summary>
    public IEnumerable<Digest> List() =>
        Directory.EnumerateDirectories(_dir)
            .Select(d => Digest.TryParse(Digest.Sha256Prefix + Path.GetFileName(d), out var id) ? id : (Digest?)null)
            .OfType<Digest>();

    /// <summary>Renames the snapshot out of its final name first, so an interrupted removal never
    /// leaves a partial tree that <see cref="Ensure"/> would take for a whole layer.</summary>
    public void Remove(Digest diffId)
    {
        var doomed = Path.Combine(_dir, InterruptedWrites.TempName($"{diffId.Hex[..12]}-removing-{Guid.NewGuid():N}"));
        try
        {
            Directory.Move(PathOf(diffId), doomed);
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }
        Directory.Delete(doomed, recursive: true);
    }

    /// <summary>Unpacks the layer unless its snapshot already exists, and returns the snapshot dir.
    /// The uncompressed tar must hash to <paramref name="diffId"/>, or nothing is kept.</summary>
    /// <param name="openLayer">Opens the layer blob as stored (compressed or not).</param>
    public string Ensure(Digest diffId, string mediaType, Func<Stream> openLayer)
    {
        var final = PathOf(diffId);
        if (Directory.Exists(final))
            return final;

        var temp = Path.Combine(_dir, InterruptedWrites.TempName($"{diffId.Hex[..12]}-{Guid.NewGuid():N}"));
        try
        {
            using (var blob = openLayer())
            using (var tar = LayerCompression.Decompress(blob, mediaType))
            using (var hashing = new HashingReadStream(tar))
            {
                LayerUnpacker.Unpack(hashing, temp, applyOwnership: Environment.IsPrivilegedProcess);
                var actual = hashing.Digest();
                if (actual != diffId)
                    throw new DigestMismatchException(diffId, actual);
            }
            CrashPoint.Reached("snapshot:unpacked");
            FileNodes.SyncFilesystemOf(temp);
            try
            {
                Directory.Move(temp, final);
            }
            catch (IOException) when (Directory.Exists(final))
            {
                // Another process unpacked the same layer first; theirs is identical.
                Directory.Delete(temp, recursive: true);
            }
            FileNodes.FsyncDirectory(_dir);
            return final;
        }
        catch (Exception e)
        {
            if (Directory.Exists(temp))
                Directory.Delete(temp, recursive: true);
            if (ImageStoreFullException.From(e, _dir) is { } full) throw full;
            throw;
        }
    }

    /// <summary>Hashes what passes through it, so a layer is verified while it is unpacked rather
    /// than read twice.</summary>
    private sealed class HashingReadStream(Stream inner) : ForwardReadStream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public Digest Digest() => Images.Digest.FromSha256(_hash.GetHashAndReset());

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            _hash.AppendData(buffer[..read]);
            return read;
        }


        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
