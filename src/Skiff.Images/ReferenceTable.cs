using System.Text.Json;
using System.Text.Json.Serialization;
using Skiff.Linux;

namespace Skiff.Images;

/// <summary>The contents of <c>references.json</c>: familiar "name:tag" → manifest digest.</summary>
public sealed record ReferenceTable
{
    [JsonPropertyName("references")]
    public Dictionary<string, Digest> References { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>The store's one mutable file. Readers read it without a lock (it is only ever replaced
/// whole, by rename); writers serialise on an flock so concurrent CLIs never lose each other's
/// updates.</summary>
internal sealed class ReferenceFile(string root)
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(2);
    private readonly string _path = Path.Combine(root, "references.json");
    private readonly string _lockPath = Path.Combine(root, "references.lock");

    public ReferenceTable Read()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(_path);
        }
        catch (FileNotFoundException)
        {
            return new ReferenceTable();
        }
        // Read through the DOM, not the serializer: this runs on every container start, and the
        // serializer's cold start costs tens of milliseconds where the DOM costs a few.
        using var document = JsonDocument.Parse(bytes);
        var table = new ReferenceTable();
        if (document.RootElement.TryGetProperty("references", out var references))
            foreach (var entry in references.EnumerateObject())
                table.References[entry.Name] = Digest.Parse(entry.Value.GetString() ?? "");
        return table;
    }

    /// <summary>Holds the store's write lock; other processes block in <see cref="Lock"/> until it is
    /// disposed. The kernel drops it if the holder dies.</summary>
    public IDisposable Lock()
    {
        var deadline = DateTime.UtcNow + LockTimeout;
        var delay = 5;
        while (true)
        {
            try
            {
                // FileShare.None makes .NET take flock(LOCK_EX | LOCK_NB) on the descriptor.
                return new FileStream(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException) when (DateTime.UtcNow < deadline && File.Exists(_lockPath))
            {
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 100);
            }
        }
    }

    /// <summary>Replaces the table atomically. Call only while holding <see cref="Lock"/>.</summary>
    public void Write(ReferenceTable table)
    {
        var temp = InterruptedWrites.TempBeside(_path);
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                JsonSerializer.Serialize(file, table, OciJsonContext.Default.ReferenceTable);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, _path, overwrite: true);
        }
        catch (Exception e)
        {
            File.Delete(temp);
            if (ImageStoreFullException.From(e, Path.GetDirectoryName(_path)!) is { } full) throw full;
            throw;
        }
        FileNodes.FsyncDirectory(Path.GetDirectoryName(_path)!);
    }
}
