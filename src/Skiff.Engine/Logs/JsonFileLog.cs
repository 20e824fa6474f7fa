using System.Buffers;
using System.Runtime.InteropServices;
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
            // Deleted under us (a user's rm, a log cleaner): writing on would feed a file nobody can
            // open, so the rest of the output goes to a new one.
            if (!File.Exists(_path))
            {
                _file.Dispose();
                _file = OpenForAppend();
            }
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

    /// <summary>Cuts one stream's bytes into entries as they arrive: one per line, a trailing partial line kept until <see cref="Lines.Flush"/>.</summary>
    public Lines LinesOf(string stream) => new(this, stream);

    public sealed class Lines(JsonFileLog log, string stream)
    {
        // Docker cuts lines at 16 KiB, so one endless line cannot grow without bound.
        private const int MaxLine = 16 * 1024;
        private readonly List<byte> _pending = [];

        public void Append(ReadOnlySpan<byte> data)
        {
            var start = 0;
            for (var i = 0; i < data.Length; i++)
            {
                if (data[i] != (byte)'\n') continue;
                _pending.AddRange(data[start..(i + 1)]);
                Flush();
                start = i + 1;
            }
            _pending.AddRange(data[start..]);
            while (_pending.Count >= MaxLine)
            {
                log.Write(stream, CollectionsMarshal.AsSpan(_pending)[..MaxLine]);
                _pending.RemoveRange(0, MaxLine);
            }
        }

        public void Flush()
        {
            if (_pending.Count == 0) return;
            log.Write(stream, CollectionsMarshal.AsSpan(_pending));
            _pending.Clear();
        }
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
