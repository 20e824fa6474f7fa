using System.Formats.Tar;
using System.Text.Json;
using Skiff.Linux;
using System.Text.Json.Serialization.Metadata;

namespace Skiff.Images.Archives;

/// <summary><c>skiff load</c>: reads a docker-archive (Docker's own, skopeo's, or Skiff's) or an OCI
/// layout tar in one pass, streaming every member into the content store (members named
/// <c>blobs/sha256/HEX</c> or <c>HEX.json</c> are verified against their name, also when the store
/// already has them), then unpacks every layer and names the images it describes. All or nothing: a
/// failure leaves no image, blob or snapshot behind.</summary>
public static class ImageArchiveReader
{
    private const long MaxMetadataBytes = 16 << 20;

    /// <returns>The names given, or image ids for images the archive leaves unnamed.</returns>
    public static IReadOnlyList<string> Load(ImageStore store, Stream archive)
    {
        using var addition = store.BeginAddition();
        var members = new Dictionary<string, Digest>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            using var tar = new TarReader(new InspectedTarStream(archive), leaveOpen: true);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                    continue;
                var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                if (name is "manifest.json" or "index.json" or "repositories" or "oci-layout")
                {
                    if (entry.Length > MaxMetadataBytes)
                        throw new InvalidImageException($"archive member {name} is {entry.Length} bytes: not an image archive");
                    metadata[name] = ReadAll(entry.DataStream);
                }
                else
                    members[name] = addition.Add(entry.DataStream, DigestNamed(name));
            }
        }
        catch (LayerMemberException e)
        {
            throw new InvalidImageException($"cannot load: archive member {e.Member}: {e.Reason}; nothing was loaded");
        }
        catch (UnsafeLayerEntryException e)
        {
            throw new InvalidImageException($"cannot load: archive member {e.Member}: {e.Reason}; nothing was loaded");
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException or EndOfStreamException)
        {
            throw new InvalidImageException($"cannot load the archive: it is not a well-formed tar: {e.Message.TrimEnd('.')}; nothing was loaded");
        }
        if (members.Count == 0 && metadata.Count == 0)
            throw new InvalidImageException("cannot load: the archive is empty (give a file with -i, or pipe one into skiff load)");

        List<ArchiveImage> images;
        try
        {
            if (metadata.TryGetValue("index.json", out var indexBytes))
                images = ReadOciLayout(store, indexBytes, metadata.GetValueOrDefault("manifest.json"));
            else if (metadata.TryGetValue("manifest.json", out var manifestBytes))
                images = ReadDockerArchive(store, addition, manifestBytes, members);
            else
                throw new InvalidImageException("cannot load: not an image archive: it has neither manifest.json (docker-archive) nor index.json (OCI layout)");
        }
        catch (JsonException e)
        {
            throw new InvalidImageException($"cannot load: a manifest or image config in the archive is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }
        foreach (var image in images)
            addition.Unpack(image.Manifest);
        var loaded = images.SelectMany(i => Name(store, i.Names, i.Manifest, i.Id)).ToList();
        addition.Complete();
        return loaded;
    }

    /// <summary>An image the archive describes: its names, manifest and config (image id).</summary>
    private sealed record ArchiveImage(IReadOnlyList<string> Names, Digest Manifest, Digest Id);

    /// <summary>The digest a member's name promises: <c>blobs/sha256/HEX</c> in an OCI layout, and a
    /// docker-archive's config <c>HEX.json</c>, named by its own digest.</summary>
    private static Digest? DigestNamed(string name)
    {
        if (name.StartsWith("blobs/sha256/", StringComparison.Ordinal) && Digest.TryParse(Digest.Sha256Prefix + name[13..], out var blob))
            return blob;
        if (name.EndsWith(".json", StringComparison.Ordinal) && !name.Contains('/') && Digest.TryParse(Digest.Sha256Prefix + name[..^5], out var config))
            return config;
        return null;
    }

    /// <summary>manifest.json and index.json, read with a sentence for each way they can be wrong.</summary>
    private static T ParseMetadata<T>(byte[] bytes, JsonTypeInfo<T> type, string member)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, type) ?? throw new InvalidImageException($"cannot load: the archive's {member} is empty (null)");
        }
        catch (JsonException e)
        {
            throw new InvalidImageException($"cannot load: the archive's {member} is not valid JSON of the expected shape (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }
    }

    private static List<ArchiveImage> ReadOciLayout(ImageStore store, byte[] indexBytes, byte[]? dockerManifest)
    {
        var index = ParseMetadata(indexBytes, OciJsonContext.Default.OciImageIndex, "index.json");
        if (index.Manifests is null)
            throw new InvalidImageException("cannot load: the archive's index.json has no \"manifests\" list");
        // Docker 25's archives carry both; manifest.json's RepoTags name images an index entry may not.
        var tagsByConfig = dockerManifest is null
            ? []
            : ParseMetadata(dockerManifest, ArchiveJsonContext.Default.IReadOnlyListDockerArchiveEntry, "manifest.json")
                .Where(e => e?.Config is not null)
                .ToDictionary(e => e.Config, e => e.RepoTags ?? [], StringComparer.Ordinal);
        var images = new List<ArchiveImage>();
        foreach (var entry in index.Manifests)
        {
            if (entry?.Digest is not { } digest || !store.Content.Exists(digest))
                throw new InvalidImageException($"cannot load: index.json names {entry?.Digest.ToString() ?? "no digest"} but the archive has no such blob");
            var (_, manifest) = store.PlatformManifest(digest);
            if (manifest.Layers is null || manifest.Config is null)
                throw new InvalidImageException($"cannot load: manifest {digest} lacks its config or its layers list");
            foreach (var blob in manifest.Layers.Append(manifest.Config))
                if (!store.Content.Exists(blob.Digest))
                    throw new InvalidImageException($"cannot load: manifest {digest} needs blob {blob.Digest}, which the archive lacks");
            var names = NamesOf(entry).ToList();
            if (names.Count == 0)
                names.AddRange(tagsByConfig.GetValueOrDefault(ImageArchiveWriter.BlobPath(manifest.Config.Digest)) ?? []);
            images.Add(new ArchiveImage(names, digest, manifest.Config.Digest));
        }
        return images;
    }

    private static IEnumerable<string> NamesOf(OciDescriptor entry)
    {
        if (entry.Annotations?.GetValueOrDefault(OciAnnotations.ImageName) is { } full)
            yield return full;
        // A bare ref.name is a tag ("latest") with no repository; only a full reference names an image.
        else if (entry.Annotations?.GetValueOrDefault(OciAnnotations.RefName) is { } refName
                 && (refName.Contains('/') || refName.Contains(':')) && ImageReference.TryParse(refName, out _))
            yield return refName;
    }

    private static List<ArchiveImage> ReadDockerArchive(ImageStore store, ImageAddition addition, byte[] manifestBytes, Dictionary<string, Digest> members)
    {
        var entries = ParseMetadata(manifestBytes, ArchiveJsonContext.Default.IReadOnlyListDockerArchiveEntry, "manifest.json");
        var images = new List<ArchiveImage>();
        foreach (var (entry, i) in entries.Select((e, i) => (e, i + 1)))
        {
            if (entry?.Config is null || entry.Layers is null)
                throw new InvalidImageException($"cannot load: entry {i} of the archive's manifest.json lacks its \"Config\" or its \"Layers\" list");
            var configDigest = Member(members, entry.Config);
            var config = store.ReadConfig(configDigest);
            var layers = entry.Layers.Select(path =>
            {
                var digest = Member(members, path);
                Span<byte> head = stackalloc byte[4];
                using (var blob = store.Content.Open(digest))
                    head = head[..blob.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
                return new OciDescriptor { MediaType = LayerCompression.SniffMediaType(head), Digest = digest, Size = store.Content.SizeOf(digest) };
            }).ToList();
            if (config.RootFs?.DiffIds is not { } diffIds || layers.Count != diffIds.Count)
                throw new InvalidImageException($"cannot load: manifest.json lists {layers.Count} layers for {entry.Config}, whose config has {config.RootFs?.DiffIds?.Count ?? 0} diff_ids");
            var manifest = new OciImageManifest
            {
                Config = new OciDescriptor { MediaType = OciMediaTypes.ImageConfig, Digest = configDigest, Size = store.Content.SizeOf(configDigest) },
                Layers = layers,
            };
            var manifestDigest = addition.AddBytes(JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Default.OciImageManifest));
            images.Add(new ArchiveImage(entry.RepoTags ?? [], manifestDigest, configDigest));
        }
        return images;
    }

    private static IReadOnlyList<string> Name(ImageStore store, IReadOnlyList<string> names, Digest manifest, Digest id)
    {
        foreach (var name in names)
            store.Tag(name, manifest);
        // An unnamed image is still kept, under its digest, so that it can be tagged afterwards.
        if (names.Count == 0)
            store.KeepUnnamed(manifest);
        return names.Count == 0 ? [id.ToString()] : names.Select(n => ImageReference.Parse(n).Familiar).ToList();
    }

    private static Digest Member(Dictionary<string, Digest> members, string path) =>
        members.TryGetValue(path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path, out var digest)
            ? digest
            : throw new InvalidImageException($"cannot load: manifest.json names '{path}', which the archive lacks");

    private static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
