namespace Skiff.Images;

/// <summary>The blobs and snapshots one load or import adds, all or nothing: it holds off garbage
/// collection while it runs, verifies every blob it is handed against its digest (also one the store
/// already holds, so a corrupt archive never passes for a good one), and unless <see cref="Complete"/>
/// is called, removes what it added again, so a failure leaves no orphans behind.</summary>
public sealed class ImageAddition : IDisposable
{
    private readonly ImageStore _store;
    private readonly IDisposable _lease;
    private readonly List<Digest> _newBlobs = [];
    private readonly List<Digest> _newSnapshots = [];
    private bool _completed;

    internal ImageAddition(ImageStore store)
    {
        _store = store;
        _lease = store.LeaseForWriting();
    }

    /// <summary>Stores the content, which must hash to <paramref name="expected"/> when that is given.</summary>
    public Digest Add(Stream content, Digest? expected = null)
    {
        if (expected is { } known && _store.Content.Exists(known))
        {
            var actual = Digest.Compute(content);
            return actual == known ? known : throw new DigestMismatchException(known, actual);
        }
        var digest = _store.Content.Write(content, expected, out var created);
        if (created)
            _newBlobs.Add(digest);
        return digest;
    }

    public Digest AddBytes(ReadOnlySpan<byte> content)
    {
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        return Add(stream);
    }

    /// <summary>Unpacks every layer of the manifest now, so a layer that does not match its diff id
    /// or holds a member that would be refused at run time is refused here.</summary>
    public void Unpack(Digest manifest)
    {
        var (_, parsed) = _store.PlatformManifest(manifest);
        var diffIds = _store.ReadConfig(parsed.Config.Digest).RootFs.DiffIds;
        if (diffIds.Count != parsed.Layers.Count)
            throw new InvalidImageException($"manifest {manifest} has {parsed.Layers.Count} layers but its config lists {diffIds.Count} diff_ids");
        for (var i = 0; i < diffIds.Count; i++)
        {
            try
            {
                Unpack(diffIds[i], parsed.Layers[i].MediaType, parsed.Layers[i].Digest);
            }
            catch (ImageException e)
            {
                throw new InvalidImageException($"layer {parsed.Layers[i].Digest}: {e.Message}");
            }
        }
    }

    /// <returns>The snapshot directory.</returns>
    public string Unpack(Digest diffId, string mediaType, Digest blob)
    {
        var existed = _store.Snapshots.Exists(diffId);
        var snapshot = _store.Snapshots.Ensure(diffId, mediaType, () => _store.Content.Open(blob));
        if (!existed)
            _newSnapshots.Add(diffId);
        return snapshot;
    }

    /// <summary>Everything is named: what was added stays.</summary>
    public void Complete() => _completed = true;

    public void Dispose()
    {
        try
        {
            if (!_completed)
                _store.DiscardUnreachable(_newBlobs, _newSnapshots);
        }
        finally
        {
            _lease.Dispose();
        }
    }
}

/// <summary>An archive or image that cannot be stored as it is: says what is wrong with which part.</summary>
public sealed class InvalidImageException(string message) : ImageException(message);
