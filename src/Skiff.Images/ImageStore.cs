using System.Text.Json;

namespace Skiff.Images;

/// <summary>What a container needs from its image's config.</summary>
public sealed record ImageConfigInfo(
    IReadOnlyList<string> Env,
    IReadOnlyList<string>? Entrypoint,
    IReadOnlyList<string>? Cmd,
    string? WorkingDir,
    string? User);

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
/// <c>blobs/sha256/…</c>, <c>snapshots/…</c>, <c>references.json</c>, <c>references.lock</c>.</summary>
public sealed class ImageStore
{
    private readonly ReferenceFile _references;

    public ImageStore(string root)
    {
        Root = root;
        Content = new ContentStore(root);
        Snapshots = new SnapshotStore(root);
        _references = new ReferenceFile(root);
    }

    public string Root { get; }
    public ContentStore Content { get; }
    public SnapshotStore Snapshots { get; }

    /// <summary>Finds a local image by name ("busybox", "busybox:latest", "docker.io/library/busybox"),
    /// by name@digest, or by a prefix of its id. The built-in busybox image is made on first use.
    /// This is on the container start path: once the image exists it only reads three small JSON
    /// files and never re-hashes blobs.</summary>
    /// <exception cref="ImageNotFoundException">No local image matches.</exception>
    public LocalImage Resolve(string reference)
    {
        var parsed = ImageReference.TryParse(reference, out var r, out var parseError) ? r : null;
        if (parsed is not null && FindByReference(parsed, _references.Read()) is { } byName)
            return Load(parsed.Familiar, byName);
        if (FindByIdPrefix(reference) is { } byId)
            return byId;
        if (parsed is null)
            throw new FormatException($"invalid image reference '{reference}': {parseError}");
        if (parsed.Familiar == BuiltinBusybox.Reference)
            return Load(parsed.Familiar, CreateBuiltinBusybox());
        throw new ImageNotFoundException(parsed.Familiar);
    }

    /// <summary>Points <paramref name="reference"/> at a manifest already in the content store.</summary>
    public void Tag(string reference, Digest manifest)
    {
        var parsed = ImageReference.Parse(reference);
        if (parsed.Digest is not null)
            throw new ArgumentException($"cannot tag with a digest reference '{reference}'", nameof(reference));
        if (!Content.Exists(manifest))
            throw new BlobNotFoundException(manifest);
        using (_references.Lock())
        {
            var table = _references.Read();
            table.References[parsed.Familiar] = manifest;
            _references.Write(table);
        }
    }

    /// <summary>All tagged images, "name:tag" → manifest digest.</summary>
    public IReadOnlyDictionary<string, Digest> References() => _references.Read().References;

    public OciImageManifest ReadManifest(Digest digest) =>
        JsonSerializer.Deserialize(Content.ReadBytes(digest), OciJsonContext.Default.OciImageManifest)
        ?? throw new InvalidDataException($"manifest {digest} is empty");

    public OciImageConfig ReadConfig(Digest digest) =>
        JsonSerializer.Deserialize(Content.ReadBytes(digest), OciJsonContext.Default.OciImageConfig)
        ?? throw new InvalidDataException($"image config {digest} is empty");

    private Digest? FindByReference(ImageReference reference, ReferenceTable table)
    {
        if (reference.Digest is { } pinned)
        {
            // A digest names the content itself, so any stored manifest with it is the image.
            return Content.Exists(pinned) ? pinned : null;
        }
        return table.References.TryGetValue(reference.Familiar, out var manifest) ? manifest : null;
    }

    private LocalImage? FindByIdPrefix(string text)
    {
        var prefix = text.StartsWith(Digest.Sha256Prefix, StringComparison.Ordinal) ? text[Digest.Sha256Prefix.Length..] : text;
        if (prefix.Length is 0 or > 64 || !Digest.IsLowerHex(prefix))
            return null;
        LocalImage? found = null;
        foreach (var (name, manifestDigest) in _references.Read().References)
        {
            var manifest = ReadManifest(manifestDigest);
            if (!manifest.Config.Digest.Hex.StartsWith(prefix, StringComparison.Ordinal))
                continue;
            if (found is not null && found.Id != manifest.Config.Digest)
                throw new AmbiguousImageException(text);
            found ??= Load(name, manifestDigest, manifest);
        }
        return found;
    }

    private LocalImage Load(string reference, Digest manifestDigest) =>
        Load(reference, manifestDigest, ReadManifest(manifestDigest));

    private LocalImage Load(string reference, Digest manifestDigest, OciImageManifest manifest)
    {
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
        var info = new ImageConfigInfo(c?.Env ?? [], c?.Entrypoint, c?.Cmd, c?.WorkingDir, c?.User);
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

public sealed class ImageNotFoundException(string reference)
    : Exception($"image '{reference}' not found locally: get it with `skiff pull {reference}` or `skiff load -i ARCHIVE` " +
                $"(the built-in '{BuiltinBusybox.Reference}' image needs neither)")
{
    public string Reference { get; } = reference;
}

public sealed class AmbiguousImageException(string prefix)
    : Exception($"image id prefix '{prefix}' matches more than one image: use more characters")
{
    public string Prefix { get; } = prefix;
}
