using System.Formats.Tar;
using System.Text.Json;
using Skiff.Linux;

namespace Skiff.Images.Archives;

/// <summary><c>skiff load</c>: reads a docker-archive (Docker's own, skopeo's, or Skiff's) or an OCI
/// layout tar in one pass, streaming every member into the content store (members named
/// <c>blobs/sha256/HEX</c> are verified against their name), then names the images it describes.</summary>
public static class ImageArchiveReader
{
    private const long MaxMetadataBytes = 16 << 20;

    /// <returns>The names given, or image ids for images the archive leaves unnamed.</returns>
    public static IReadOnlyList<string> Load(ImageStore store, Stream archive)
    {
        using var lease = store.LeaseForWriting();
        var members = new Dictionary<string, Digest>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var tar = new TarReader(archive, leaveOpen: true))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                    continue;
                var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                if (name is "manifest.json" or "index.json" or "repositories" or "oci-layout")
                {
                    if (entry.Length > MaxMetadataBytes)
                        throw new InvalidInputException($"archive member {name} is {entry.Length} bytes: not an image archive");
                    metadata[name] = ReadAll(entry.DataStream);
                }
                else if (name.StartsWith("blobs/sha256/", StringComparison.Ordinal) && Digest.TryParse(Digest.Sha256Prefix + name[13..], out var named))
                    members[name] = store.Content.Exists(named) ? named : store.Content.Write(entry.DataStream, named);
                else
                    members[name] = store.Content.Write(entry.DataStream);
            }
        }

        if (metadata.TryGetValue("index.json", out var indexBytes))
            return LoadOciLayout(store, indexBytes, metadata.GetValueOrDefault("manifest.json"));
        if (metadata.TryGetValue("manifest.json", out var manifestBytes))
            return LoadDockerArchive(store, manifestBytes, members);
        throw new InvalidInputException("not an image archive: it has neither manifest.json (docker-archive) nor index.json (OCI layout)");
    }

    private static IReadOnlyList<string> LoadOciLayout(ImageStore store, byte[] indexBytes, byte[]? dockerManifest)
    {
        var index = JsonSerializer.Deserialize(indexBytes, OciJsonContext.Default.OciImageIndex)
                    ?? throw new InvalidInputException("index.json is empty");
        // Docker 25's archives carry both; manifest.json's RepoTags name images an index entry may not.
        var tagsByConfig = dockerManifest is null
            ? []
            : (JsonSerializer.Deserialize(dockerManifest, ArchiveJsonContext.Default.IReadOnlyListDockerArchiveEntry) ?? [])
                .ToDictionary(e => e.Config, e => e.RepoTags ?? [], StringComparer.Ordinal);
        var loaded = new List<string>();
        foreach (var entry in index.Manifests)
        {
            if (!store.Content.Exists(entry.Digest))
                throw new InvalidInputException($"index.json names {entry.Digest} but the archive has no such blob");
            var (_, manifest) = store.PlatformManifest(entry.Digest);
            foreach (var blob in manifest.Layers.Append(manifest.Config))
                if (!store.Content.Exists(blob.Digest))
                    throw new InvalidInputException($"manifest {entry.Digest} needs blob {blob.Digest}, which the archive lacks");
            var names = NamesOf(entry).ToList();
            if (names.Count == 0)
                names.AddRange(tagsByConfig.GetValueOrDefault(ImageArchiveWriter.BlobPath(manifest.Config.Digest)) ?? []);
            loaded.AddRange(Name(store, names, entry.Digest, manifest.Config.Digest));
        }
        return loaded;
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

    private static IReadOnlyList<string> LoadDockerArchive(ImageStore store, byte[] manifestBytes, Dictionary<string, Digest> members)
    {
        var entries = JsonSerializer.Deserialize(manifestBytes, ArchiveJsonContext.Default.IReadOnlyListDockerArchiveEntry)
                      ?? throw new InvalidInputException("manifest.json is empty");
        var loaded = new List<string>();
        foreach (var entry in entries)
        {
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
            if (layers.Count != config.RootFs.DiffIds.Count)
                throw new InvalidInputException($"manifest.json lists {layers.Count} layers for {entry.Config}, whose config has {config.RootFs.DiffIds.Count} diff_ids");
            var manifest = new OciImageManifest
            {
                Config = new OciDescriptor { MediaType = OciMediaTypes.ImageConfig, Digest = configDigest, Size = store.Content.SizeOf(configDigest) },
                Layers = layers,
            };
            var manifestDigest = store.Content.WriteBytes(JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Default.OciImageManifest));
            loaded.AddRange(Name(store, entry.RepoTags ?? [], manifestDigest, configDigest));
        }
        return loaded;
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
            : throw new InvalidInputException($"manifest.json names '{path}', which the archive lacks");

    private static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
