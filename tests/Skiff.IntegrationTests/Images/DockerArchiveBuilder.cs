using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Skiff.IntegrationTests.Images;

/// <summary>Writes a docker-archive (what <c>docker save</c> makes) of layers a test spells out member
/// by member, whiteouts included; the first layer carries the host's busybox as /bin/busybox.</summary>
public static class DockerArchiveBuilder
{
    /// <summary>A regular file for a layer; "" makes an empty one, as whiteouts are.</summary>
    public static PaxTarEntry File(string name, string content = "") =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };

    public static void Write(string archive, string name, IReadOnlyList<IEnumerable<PaxTarEntry>> layers)
    {
        var diffIds = new List<string>();
        using var output = System.IO.File.Create(archive);
        using var writer = new TarWriter(output, TarEntryFormat.Pax);
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = new MemoryStream();
            using (var layerWriter = new TarWriter(layer, TarEntryFormat.Pax, leaveOpen: true))
            {
                if (i == 0)
                    layerWriter.WriteEntry("/bin/busybox", "bin/busybox");
                foreach (var entry in layers[i])
                    layerWriter.WriteEntry(entry);
            }
            diffIds.Add("sha256:" + Convert.ToHexStringLower(SHA256.HashData(layer.ToArray())));
            layer.Position = 0;
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{i}/layer.tar") { DataStream = layer });
        }
        var config = JsonSerializer.Serialize(new
        {
            architecture = "amd64", os = "linux", config = new { Env = new[] { "PATH=/bin" } },
            rootfs = new { type = "layers", diff_ids = diffIds },
        });
        writer.WriteEntry(File("config.json", config));
        var manifest = JsonSerializer.Serialize(new[]
        {
            new { Config = "config.json", RepoTags = new[] { name }, Layers = Enumerable.Range(0, layers.Count).Select(i => $"{i}/layer.tar") },
        });
        writer.WriteEntry(File("manifest.json", manifest));
    }
}
