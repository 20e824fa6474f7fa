using System.Formats.Tar;
using System.Text.Json;

namespace Skiff.Images.Archives;

/// <summary><c>skiff save</c>: one tar that is at once a docker-archive (<c>manifest.json</c>,
/// <c>repositories</c>) and an OCI image layout (<c>oci-layout</c>, <c>index.json</c>,
/// <c>blobs/sha256/…</c>), as Docker 25 writes it. Both indexes point at the same blobs, stored as they
/// are in the content store, so manifest digests survive a save and load.</summary>
public static class ImageArchiveWriter
{
    public static void Write(ImageStore store, IReadOnlyList<string> references, Stream output)
    {
        var written = new HashSet<Digest>();
        var dockerEntries = new List<DockerArchiveEntry>();
        var indexEntries = new List<OciDescriptor>();
        var repositories = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);

        using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        WriteBytes(tar, "oci-layout", JsonSerializer.SerializeToUtf8Bytes(new OciLayoutMarker(), ArchiveJsonContext.Default.OciLayoutMarker));
        foreach (var reference in references)
        {
            var found = store.Require(reference);
            var (manifestDigest, manifest) = store.PlatformManifest(found.Digest);
            foreach (var blob in new[] { manifestDigest, manifest.Config.Digest }.Concat(manifest.Layers.Select(l => l.Digest)))
                if (written.Add(blob))
                    WriteBlob(tar, store, blob);

            var name = found.Key is { } key && !key.Contains('@') ? ImageReference.Parse(key) : null;
            dockerEntries.Add(new DockerArchiveEntry
            {
                Config = BlobPath(manifest.Config.Digest),
                RepoTags = name is null ? [] : [name.Familiar],
                Layers = manifest.Layers.Select(l => BlobPath(l.Digest)).ToList(),
            });
            var annotations = name is null
                ? null
                : new Dictionary<string, string> { [OciAnnotations.ImageName] = name.FullyQualified, [OciAnnotations.RefName] = name.Tag ?? ImageReference.DefaultTag };
            indexEntries.Add(new OciDescriptor
            {
                MediaType = manifest.EffectiveMediaType,
                Digest = manifestDigest,
                Size = store.Content.SizeOf(manifestDigest),
                Annotations = annotations,
            });
            if (name is not null && manifest.Layers.Count > 0)
            {
                if (!repositories.TryGetValue(name.FamiliarName, out var tags))
                    repositories[name.FamiliarName] = tags = new Dictionary<string, string>(StringComparer.Ordinal);
                tags[name.Tag ?? ImageReference.DefaultTag] = manifest.Layers[^1].Digest.Hex;
            }
        }
        var index = new OciImageIndex { MediaType = OciMediaTypes.ImageIndex, Manifests = indexEntries };
        WriteBytes(tar, "index.json", JsonSerializer.SerializeToUtf8Bytes(index, OciJsonContext.Default.OciImageIndex));
        WriteBytes(tar, "manifest.json", JsonSerializer.SerializeToUtf8Bytes<IReadOnlyList<DockerArchiveEntry>>(dockerEntries, ArchiveJsonContext.Default.IReadOnlyListDockerArchiveEntry));
        WriteBytes(tar, "repositories", JsonSerializer.SerializeToUtf8Bytes(repositories, ArchiveJsonContext.Default.DictionaryStringDictionaryStringString));
    }

    internal static string BlobPath(Digest digest) => $"blobs/sha256/{digest.Hex}";

    private static void WriteBlob(TarWriter tar, ImageStore store, Digest digest)
    {
        using var content = store.Content.Open(digest);
        tar.WriteEntry(Entry(BlobPath(digest), content));
    }

    private static void WriteBytes(TarWriter tar, string name, byte[] bytes)
    {
        using var content = new MemoryStream(bytes);
        tar.WriteEntry(Entry(name, content));
    }

    private static PaxTarEntry Entry(string name, Stream content) => new(TarEntryType.RegularFile, name)
    {
        DataStream = content,
        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        ModificationTime = DateTimeOffset.UnixEpoch,
    };
}
