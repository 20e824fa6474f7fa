using System.Text.Json;
using Skiff.Linux;

namespace Skiff.Images;

/// <summary>What a container needs from its image's config.</summary>
public sealed record ImageConfigInfo(
    IReadOnlyList<string> Env,
    IReadOnlyList<string>? Entrypoint,
    IReadOnlyList<string>? Cmd,
    string? WorkingDir,
    string? User,
    IReadOnlyList<string>? ExposedPorts = null,
    string? StopSignal = null,
    IReadOnlyDictionary<string, string>? Labels = null);

/// <param name="Id">The config digest, as Docker reports image ids.</param>
/// <param name="LayerDirs">Snapshot directories, lowest layer first (overlayfs's lowerdir wants the
/// reverse order).</param>
public sealed record LocalImage(
    string Reference,
    Digest Id,
    Digest ManifestDigest,
    ImageConfigInfo Config,
    IReadOnlyList<string> LayerDirs);

/// <summary>The local images: blobs in a <see cref="ContentStore"/>, unpacked layers in a
/// <see cref="SnapshotStore"/>, and <c>references.json</c> naming manifests. Layout under the root:
/// <c>blobs/sha256/…</c>, <c>snapshots/…</c>, <c>references.json</c>, <c>references.lock</c>, <c>build-cache/…</c>.</summary>
public sealed partial class ImageStore
{
    private readonly ReferenceFile _references;
    private readonly ResolvedImageCache _resolved;

    public ImageStore(string root)
    {
        Root = root;
        Content = new ContentStore(root);
        Snapshots = new SnapshotStore(root);
        _references = new ReferenceFile(root);
        _resolved = new ResolvedImageCache(root, Content);
        BuildCache = new BuildCache(root);
    }

    public string Root { get; }
    public ContentStore Content { get; }
    public SnapshotStore Snapshots { get; }
    public BuildCache BuildCache { get; }

    /// <summary>Finds a local image by name ("busybox", "busybox:latest", "docker.io/library/busybox"),
    /// by name@digest, or by a prefix of its id. The built-in busybox image is made on first use.
    /// This is on the container start path: once the image exists it only reads three small JSON
    /// files and never re-hashes blobs.</summary>
    /// <exception cref="ImageNotFoundException">No local image matches.</exception>
    public LocalImage Resolve(string reference)
    {
        if (_resolved.FindById(reference) is { } byId) return byId;
        var found = Require(reference);
        var name = found.Key ?? reference;
        if (_resolved.Find(name, found.Digest) is { } cached) return cached;
        var image = Load(name, found.Digest);
        _resolved.Store(found.Digest, image);
        return image;
    }

    /// <summary><see cref="Find"/>, making the built-in busybox image on first use.</summary>
    /// <exception cref="ImageNotFoundException">No local image matches.</exception>
    public StoredImage Require(string reference)
    {
        if (Find(reference) is { } found)
            return found;
        var parsed = ImageReference.Parse(reference);
        if (parsed.Familiar == BuiltinBusybox.Reference)
            return new StoredImage(parsed.Familiar, CreateBuiltinBusybox());
        throw new ImageNotFoundException(parsed.Familiar);
    }

    /// <summary>The reference-table entry a user's spelling names: a name, name@digest, or an id
    /// prefix. <see cref="StoredImage.Key"/> is null for a digest that is stored but not named.</summary>
    /// <exception cref="FormatException">Neither a valid reference nor a hex id prefix.</exception>
    public StoredImage? Find(string reference)
    {
        var parsed = ImageReference.TryParse(reference, out var r, out var parseError) ? r : null;
        var table = _references.Read();
        if (parsed is not null && FindByReference(parsed, table) is { } byName)
            return byName;
        if (FindByIdPrefix(reference, table) is { } byId)
            return byId;
        if (parsed is null)
            throw new InvalidInputException($"invalid image reference '{reference}': {parseError}");
        return null;
    }

    /// <summary>Gives the image <paramref name="source"/> names a further name, as <c>skiff tag</c> does.</summary>
    public void Tag(string source, string target)
    {
        Tag(target, Require(source).Digest);
    }

    /// <summary>Points <paramref name="reference"/> at a manifest (or an index) already in the content store.</summary>
    public void Tag(string reference, Digest manifest)
    {
        var parsed = ImageReference.Parse(reference);
        if (parsed.Digest is not null)
            throw new InvalidInputException($"cannot tag with a digest reference '{reference}'");
        SetReference(parsed, manifest);
    }

    /// <summary>Records what a pull, load or import stored under the name it was asked for. A name
    /// with a digest ("alpine@sha256:…") is kept under that digest, so the image is listed and kept.</summary>
    public void SetReference(ImageReference reference, Digest manifest)
    {
        if (!Content.Exists(manifest))
            throw new BlobNotFoundException(manifest);
        using (_references.Lock())
        {
            var table = _references.Read();
            // Naming an image again (a rebuild that changed nothing) writes nothing.
            if (table.References.TryGetValue(KeyOf(reference), out var current) && current == manifest)
                return;
            table.References[KeyOf(reference)] = manifest;
            _references.Write(table);
        }
    }

    /// <summary>Stores a manifest whose config and layers are already in the content store, under
    /// <paramref name="name"/>, or kept unnamed (see <see cref="KeepUnnamed"/>).</summary>
    public Digest Publish(OciImageManifest manifest, ImageReference? name)
    {
        var digest = Content.WriteBytes(JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Default.OciImageManifest));
        CrashPoint.Reached("publish:manifest-written");
        if (name is null)
            KeepUnnamed(digest);
        else
            SetReference(name, digest);
        return digest;
    }

    /// <summary>Keeps an image that arrived without a name (an unnamed archive entry, an import without
    /// one) under "none@DIGEST", so it is listed and survives collection until it is tagged.</summary>
    public void KeepUnnamed(Digest manifest) =>
        SetReference(new ImageReference(ImageReference.DefaultDomain, "library/none", null, manifest), manifest);

    /// <summary>Removes names from the table; returns those that were there.</summary>
    public IReadOnlyList<string> Untag(IEnumerable<string> keys)
    {
        using (_references.Lock())
        {
            var table = _references.Read();
            var removed = keys.Where(table.References.Remove).ToList();
            _references.Write(table);
            return removed;
        }
    }

    /// <summary>The table key: "name:tag", or "name@sha256:…" for an image pinned only by digest.</summary>
    public static string KeyOf(ImageReference reference) =>
        reference.Digest is { } d ? $"{reference.FamiliarName}@{d}" : reference.Familiar;

    /// <summary>Holds off garbage collection while blobs are stored that no reference names yet; first
    /// clears away what writers killed before (a pull, load, commit or build cut short by SIGKILL).</summary>
    public IDisposable LeaseForWriting()
    {
        SweepInterrupted();
        return CollectionLock.Shared(Root);
    }

    private void SweepInterrupted()
    {
        Content.SweepInterrupted();
        Snapshots.SweepInterrupted();
        InterruptedWrites.Sweep(Root);
    }

    /// <summary>Starts a load or import that adds blobs and snapshots all or nothing.</summary>
    public ImageAddition BeginAddition() => new(this);

    /// <summary>All tagged images, "name:tag" → manifest digest.</summary>
    public IReadOnlyDictionary<string, Digest> References() => _references.Read().References;

    public OciImageManifest ReadManifest(Digest digest) => ParseManifest(Content.ReadBytes(digest), digest);

    public OciImageConfig ReadConfig(Digest digest) =>
        JsonSerializer.Deserialize(Content.ReadBytes(digest), OciJsonContext.Default.OciImageConfig)
        ?? throw new InvalidDataException($"image config {digest} is empty");

    /// <summary>The manifest to run on this host: <paramref name="digest"/> itself, or, when it names an
    /// image index, the entry for this platform (which a pull stored beside it).</summary>
    public (Digest Digest, OciImageManifest Manifest) PlatformManifest(Digest digest)
    {
        var bytes = Content.ReadBytes(digest);
        var probe = JsonSerializer.Deserialize(bytes, OciJsonContext.Default.ManifestProbe);
        if (!IsIndex(probe))
            return (digest, ParseManifest(bytes, digest));
        var index = JsonSerializer.Deserialize(bytes, OciJsonContext.Default.OciImageIndex)
                    ?? throw new InvalidDataException($"image index {digest} is empty");
        var entry = HostPlatform.Choose(index.Manifests.Where(m => Content.Exists(m.Digest)), HostPlatform.Current)
                    ?? throw new InvalidDataException(
                        $"image index {digest} has no {HostPlatform.Describe(HostPlatform.Current)} manifest stored locally: pull the image again");
        return (entry.Digest, ReadManifest(entry.Digest));
    }

    internal static bool IsIndex(ManifestProbe? probe) =>
        OciMediaTypes.IsIndex(probe?.MediaType) || (probe?.MediaType is null && probe?.Manifests is not null && probe.Layers is null);

    private static OciImageManifest ParseManifest(byte[] bytes, Digest digest) =>
        JsonSerializer.Deserialize(bytes, OciJsonContext.Default.OciImageManifest)
        ?? throw new InvalidDataException($"manifest {digest} is empty");

    private StoredImage? FindByReference(ImageReference reference, ReferenceTable table)
    {
        if (table.References.TryGetValue(KeyOf(reference), out var named))
            return new StoredImage(KeyOf(reference), named);
        // A digest names the content itself, so any stored manifest with it is the image.
        if (reference.Digest is { } pinned && Content.Exists(pinned))
            return new StoredImage(null, pinned);
        return null;
    }

    private StoredImage? FindByIdPrefix(string text, ReferenceTable table)
    {
        var prefix = text.StartsWith(Digest.Sha256Prefix, StringComparison.Ordinal) ? text[Digest.Sha256Prefix.Length..] : text;
        if (prefix.Length is 0 or > 64 || !Digest.IsLowerHex(prefix))
            return null;
        StoredImage? found = null;
        Digest? foundId = null;
        foreach (var (name, digest) in table.References.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var id = PlatformManifest(digest).Manifest.Config.Digest;
            if (!id.Hex.StartsWith(prefix, StringComparison.Ordinal))
                continue;
            if (foundId is not null && foundId != id)
                throw new AmbiguousImageException(text);
            found ??= new StoredImage(name, digest);
            foundId = id;
        }
        return found;
    }

    private LocalImage Load(string reference, Digest digest)
    {
        var (manifestDigest, manifest) = PlatformManifest(digest);
        var config = ReadConfig(manifest.Config.Digest);
        var diffIds = config.RootFs.DiffIds;
        if (diffIds.Count != manifest.Layers.Count)
            throw new InvalidDataException(
                $"image {reference}: manifest {manifestDigest} has {manifest.Layers.Count} layers but its config lists {diffIds.Count} diff_ids");

        var layerDirs = new string[diffIds.Count];
        for (var i = 0; i < diffIds.Count; i++)
        {
            var layer = manifest.Layers[i];
            // Normally a Directory.Exists; unpacks again only if a snapshot was removed.
            layerDirs[i] = Snapshots.Ensure(diffIds[i], layer.MediaType, () => Content.Open(layer.Digest));
        }

        var c = config.Config;
        var info = new ImageConfigInfo(c?.Env ?? [], c?.Entrypoint, c?.Cmd, c?.WorkingDir, c?.User, c?.ExposedPorts?.Keys.ToList(), c?.StopSignal, c?.Labels);
        return new LocalImage(reference, manifest.Config.Digest, manifestDigest, info, layerDirs);
    }

    private Digest CreateBuiltinBusybox()
    {
        // Under the lock so two CLIs starting the first busybox container do the work once; the
        // second finds the reference when it gets the lock.
        using (_references.Lock())
        {
            var table = _references.Read();
            if (table.References.TryGetValue(BuiltinBusybox.Reference, out var existing))
                return existing;
            var manifest = BuiltinBusybox.Create(Content);
            table.References[BuiltinBusybox.Reference] = manifest;
            _references.Write(table);
            return manifest;
        }
    }
}

/// <summary>A reference-table entry: <paramref name="Key"/> is its name ("busybox:latest"), null for an
/// image found by digest alone; <paramref name="Digest"/> what it names (a manifest or an index).</summary>
public sealed record StoredImage(string? Key, Digest Digest);

public sealed class ImageNotFoundException(string reference)
    : ImageException($"image '{reference}' not found locally: get it with `skiff pull {reference}` or `skiff load -i ARCHIVE` " +
                $"(the built-in '{BuiltinBusybox.Reference}' image needs neither)")
{
    public string Reference { get; } = reference;
}

public sealed class AmbiguousImageException(string prefix)
    : ImageException($"image id prefix '{prefix}' matches more than one image: use more characters")
{
    public string Prefix { get; } = prefix;
}
