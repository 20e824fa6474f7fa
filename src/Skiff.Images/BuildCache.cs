namespace Skiff.Images;

/// <summary>
/// The build cache: a step's cache key (its parent's key, its instruction with resolved arguments,
/// the content of what it copies) to the manifest of the image state it produced. One small file a
/// key under <c>build-cache/</c>, written by rename, so a build killed at any point leaves whole
/// entries only. Its manifests are roots of collection beside the names: <c>image prune</c> keeps
/// them, <c>builder prune</c> drops them.
/// </summary>
public sealed class BuildCache(string root)
{
    private readonly string _dir = Path.Combine(root, "build-cache");

    public Digest? Find(Digest key) =>
        File.Exists(PathOf(key)) && Digest.TryParse(File.ReadAllText(PathOf(key)).Trim(), out var manifest) ? manifest : null;

    public void Record(Digest key, Digest manifest)
    {
        Directory.CreateDirectory(_dir);
        var temp = PathOf(key) + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(temp, manifest.ToString());
        File.Move(temp, PathOf(key), overwrite: true);
    }

    /// <summary>Every manifest an entry holds on to.</summary>
    public IEnumerable<Digest> Manifests() =>
        Directory.Exists(_dir)
            ? Directory.EnumerateFiles(_dir).Where(f => !f.Contains(".tmp-", StringComparison.Ordinal))
                .Select(f => Digest.TryParse(File.ReadAllText(f).Trim(), out var d) ? d : (Digest?)null).OfType<Digest>().ToList()
            : [];

    /// <summary>Forgets every entry; returns how many there were.</summary>
    public int Clear()
    {
        if (!Directory.Exists(_dir))
            return 0;
        var count = Directory.EnumerateFiles(_dir).Count(f => !f.Contains(".tmp-", StringComparison.Ordinal));
        Directory.Delete(_dir, recursive: true);
        return count;
    }

    private string PathOf(Digest key) => Path.Combine(_dir, key.Hex);
}
