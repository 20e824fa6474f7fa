using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Skiff.Engine.Logs;

public sealed record LogEntry(string Stream, string Text, DateTime Time);

/// <summary>
/// Docker's json-file log: one JSON object per line ({"log", "stream", "time"}), rotated to
/// NAME.1 ... NAME.(max-file - 1) when a size cap is set. Written only by a container's monitor.
/// </summary>
public sealed class JsonFileLog : IDisposable
{
    private readonly string _path;
    private readonly long? _maxSize;
    private readonly int _maxFiles;
    private readonly Lock _lock = new();
    private FileStream _file;

    public JsonFileLog(string path, long? maxSizeBytes, int maxFiles)
    {
        _path = path;
        _maxSize = maxSizeBytes;
        _maxFiles = Math.Max(1, maxFiles);
        _file = OpenForAppend();
    }

    private FileStream OpenForAppend() => new(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);

    public void Write(string stream, ReadOnlySpan<byte> line)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("log", Encoding.UTF8.GetString(line));
            json.WriteString("stream", stream);
            json.WriteString("time", FormatTime(DateTime.UtcNow));
            json.WriteEndObject();
        }
        buffer.Write("\n"u8);
        lock (_lock)
        {
            if (_maxSize is { } max && _file.Length > 0 && _file.Length + buffer.WrittenCount > max) Rotate();
            _file.Write(buffer.WrittenSpan);
            _file.Flush();
        }
    }

    private void Rotate()
    {
        _file.Dispose();
        if (_maxFiles == 1) File.Delete(_path);
        else
        {
            for (var i = _maxFiles - 1; i >= 1; i--)
            {
                var from = i == 1 ? _path : $"{_path}.{i - 1}";
                if (File.Exists(from)) File.Move(from, $"{_path}.{i}", overwrite: true);
            }
        }
        _file = OpenForAppend();
    }

    /// <summary>Copies a stream into the log line by line, until end of file; a trailing partial line is kept too.</summary>
    public void Pump(Stream source, string stream)
    {
        var pending = new List<byte>();
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = Read(source, buffer)) > 0)
        {
            var start = 0;
            for (var i = 0; i < n; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                pending.AddRange(buffer.AsSpan(start, i + 1 - start));
                Write(stream, [.. pending]);
                pending.Clear();
                start = i + 1;
            }
            pending.AddRange(buffer.AsSpan(start, n - start));
            // Docker cuts lines at 16 KiB, so one endless line cannot grow without bound.
            if (pending.Count >= buffer.Length)
            {
                Write(stream, [.. pending]);
                pending.Clear();
            }
        }
        if (pending.Count > 0) Write(stream, [.. pending]);
    }

    // A pty whose other side has gone reports EIO rather than end of file.
    private static int Read(Stream source, byte[] buffer)
    {
        try { return source.Read(buffer, 0, buffer.Length); }
        catch (IOException) { return 0; }
    }

    public static string FormatTime(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every entry in order, oldest rotated file first.</summary>
    public static IEnumerable<LogEntry> ReadAll(string path, int maxFiles)
    {
        for (var i = Math.Max(1, maxFiles) - 1; i >= 0; i--)
        {
            var file = i == 0 ? path : $"{path}.{i}";
            if (!File.Exists(file)) continue;
            using var reader = new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            while (reader.ReadLine() is { } line)
                if (Parse(line) is { } entry) yield return entry;
        }
    }

    public static LogEntry? Parse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            return new LogEntry(root.GetProperty("stream").GetString()!, root.GetProperty("log").GetString()!,
                DateTime.Parse(root.GetProperty("time").GetString()!.Replace("00Z", "Z"), System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AdjustToUniversal));
        }
        catch (JsonException)
        {
            return null; // a line cut short by a crash
        }
    }

    public void Dispose() => _file.Dispose();
}
