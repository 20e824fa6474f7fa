using Skiff.Linux;

namespace Skiff.Images;

/// <summary>
/// What resolving an image produced, kept in a small binary file per image. Manifests and configs
/// are content-addressed and never change, so an entry is never stale; it saves the container start
/// path the cold System.Text.Json deserialization of manifest and config (about 100 ms in a fresh
/// process, against well under 1 ms for this). Entries are found by the digest a name points at and
/// by the image id; one is trusted only while its manifest blob and layer snapshots still exist.
/// </summary>
internal sealed class ResolvedImageCache(string root, ContentStore content)
{
    private const int FormatVersion = 3;
    private readonly string _dir = Path.Combine(root, "resolved");

    public LocalImage? Find(string reference, Digest key) => Read(reference, Path.Combine(_dir, key.Hex));

    /// <summary>By a full image id ("sha256:HEX" or "HEX"), the form containers record.</summary>
    public LocalImage? FindById(string id)
    {
        var hex = id.StartsWith(Digest.Sha256Prefix, StringComparison.Ordinal) ? id[Digest.Sha256Prefix.Length..] : id;
        return hex.Length == 64 && Digest.IsLowerHex(hex) ? Read(null, Path.Combine(_dir, "id-" + hex)) : null;
    }

    public void Store(Digest key, LocalImage image)
    {
        Directory.CreateDirectory(_dir);
        Write(Path.Combine(_dir, key.Hex), image);
        Write(Path.Combine(_dir, "id-" + image.Id.Hex), image);
    }

    /// <param name="reference">the name the caller resolved; null to use the name the entry was made under.</param>
    private LocalImage? Read(string? reference, string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes));
            if (r.ReadInt32() != FormatVersion) return null;
            var name = r.ReadString();
            var id = Digest.Parse(r.ReadString());
            var manifest = Digest.Parse(r.ReadString());
            var env = r.ReadList()!;
            var entrypoint = r.ReadList();
            var cmd = r.ReadList();
            var workingDir = r.ReadOptional();
            var user = r.ReadOptional();
            var exposedPorts = r.ReadList();
            var layers = r.ReadList()!;
            if (!content.Exists(manifest) || !layers.All(Directory.Exists)) return null;
            return new LocalImage(reference ?? name, id, manifest, new ImageConfigInfo(env, entrypoint, cmd, workingDir, user, exposedPorts), layers);
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or InvalidInputException or IOException)
        {
            return null; // a torn or foreign file: resolve the slow way and write it again
        }
    }

    private static void Write(string path, LocalImage image)
    {
        // Unique per writer, not per process: two threads of one process may write the same entry.
        var temp = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        using (var w = new BinaryWriter(File.Create(temp)))
        {
            w.Write(FormatVersion);
            w.Write(image.Reference);
            w.Write(image.Id.ToString());
            w.Write(image.ManifestDigest.ToString());
            w.WriteList(image.Config.Env);
            w.WriteList(image.Config.Entrypoint);
            w.WriteList(image.Config.Cmd);
            w.WriteOptional(image.Config.WorkingDir);
            w.WriteOptional(image.Config.User);
            w.WriteList(image.Config.ExposedPorts);
            w.WriteList(image.LayerDirs);
        }
        File.Move(temp, path, overwrite: true);
    }
}
