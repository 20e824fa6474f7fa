using System.Diagnostics;
using System.Formats.Tar;
using System.Runtime.InteropServices;
using System.Text;
using Skiff.Images;

namespace Skiff.UnitTests.Images;

/// <summary>A fact that needs root (chown, mknod, trusted.* xattrs) and says so when skipped.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
            Skip = "needs root: chown, mknod and trusted.* xattrs are privileged";
    }
}

/// <summary>A scratch directory removed with everything in it.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "skiff-images-" + Guid.NewGuid().ToString("N"));

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Builds tar streams with whatever member names a test needs, hostile ones included.</summary>
public sealed class TarBuilder
{
    private readonly MemoryStream _output = new();
    private readonly TarWriter _writer;

    public TarBuilder() => _writer = new TarWriter(_output, TarEntryFormat.Pax, leaveOpen: true);

    public static readonly DateTimeOffset Mtime = new(2021, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public TarBuilder Dir(string name, int mode = 0x1ed /* 0755 */, int uid = 0, int gid = 0) =>
        Add(new PaxTarEntry(TarEntryType.Directory, name), mode, uid, gid);

    public TarBuilder File(string name, string content, int mode = 0x1a4 /* 0644 */, int uid = 0, int gid = 0)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
        return Add(entry, mode, uid, gid);
    }

    public TarBuilder Symlink(string name, string target) =>
        Add(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target }, 0x1ff, 0, 0);

    public TarBuilder HardLink(string name, string target) =>
        Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target }, 0x1a4, 0, 0);

    public TarBuilder Empty(string name) => File(name, "");

    public TarBuilder Device(string name, TarEntryType type, int major, int minor, int mode = 0x1b6 /* 0666 */)
    {
        var entry = new PaxTarEntry(type, name);
        if (type is not TarEntryType.Fifo)
            (entry.DeviceMajor, entry.DeviceMinor) = (major, minor);
        return Add(entry, mode, 0, 0);
    }

    /// <summary>A member with PAX records, e.g. "SCHILY.xattr.user.note" (TarWriter writes values as UTF-8).</summary>
    public TarBuilder WithRecords(TarEntryType type, string name, params (string Key, string Value)[] records)
    {
        var entry = new PaxTarEntry(type, name, records.Select(r => KeyValuePair.Create(r.Key, r.Value)));
        if (type is TarEntryType.RegularFile)
            entry.DataStream = new MemoryStream("data"u8.ToArray());
        if (type is TarEntryType.SymbolicLink)
            entry.LinkName = "elsewhere";
        return Add(entry, type is TarEntryType.Directory ? 0x1ed : 0x1a4, 0, 0);
    }

    private TarBuilder Add(PaxTarEntry entry, int mode, int uid, int gid)
    {
        entry.Mode = (UnixFileMode)mode;
        entry.Uid = uid;
        entry.Gid = gid;
        entry.ModificationTime = Mtime;
        _writer.WriteEntry(entry);
        return this;
    }

    public byte[] Bytes()
    {
        _writer.Dispose();
        return _output.ToArray();
    }

    public MemoryStream Stream() => new(Bytes());
}

public static partial class FileStat
{
    /// <summary>Runs coreutils stat without following symlinks, e.g. "%F %t:%T" or "%u:%g".</summary>
    public static string Of(string path, string format)
    {
        var start = new ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }

    public static string? Xattr(string path, string name)
    {
        var buffer = new byte[256];
        var size = Lgetxattr(path, name, buffer, (nuint)buffer.Length);
        return size < 0 ? null : Encoding.UTF8.GetString(buffer, 0, (int)size);
    }

    public static byte[]? XattrBytes(string path, string name)
    {
        var buffer = new byte[256];
        var size = Lgetxattr(path, name, buffer, (nuint)buffer.Length);
        return size < 0 ? null : buffer[..(int)size];
    }

    public static void SetXattr(string path, string name, byte[] value) =>
        Assert.Equal(0, Lsetxattr(path, name, value, (nuint)value.Length, 0));

    [LibraryImport("libc", EntryPoint = "lgetxattr", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Lgetxattr(string path, string name, byte[] value, nuint size);

    [LibraryImport("libc", EntryPoint = "lsetxattr", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Lsetxattr(string path, string name, byte[] value, nuint size, int flags);
}

/// <summary>Tar written block by block, for headers no well-behaved writer makes: oversized PAX
/// headers and GNU long names. Each data section is made by the caller, so it can be huge and lazy.</summary>
internal sealed class RawTar
{
    private readonly List<Stream> _parts = [];

    /// <summary>A ustar header block; <paramref name="type"/> is the typeflag ('0', 'x', 'L', ...).</summary>
    public RawTar Header(string name, char type, long size)
    {
        var block = new byte[512];
        Encoding.UTF8.GetBytes(name).AsSpan(0, Math.Min(100, Encoding.UTF8.GetByteCount(name))).CopyTo(block);
        void Octal(int offset, int length, long value) =>
            Encoding.ASCII.GetBytes(Convert.ToString(value, 8).PadLeft(length - 1, '0')).CopyTo(block, offset);
        Octal(100, 8, 0x1a4);
        Octal(108, 8, 0);
        Octal(116, 8, 0);
        Octal(124, 12, size);
        Octal(136, 12, TarBuilder.Mtime.ToUnixTimeSeconds());
        block[156] = (byte)type;
        "ustar\0"u8.CopyTo(block.AsSpan(257));
        "00"u8.CopyTo(block.AsSpan(263));
        block.AsSpan(148, 8).Fill((byte)' ');
        Octal(148, 7, block.Sum(b => (long)b));
        _parts.Add(new MemoryStream(block));
        return this;
    }

    /// <summary>A data section followed by its padding to the next 512-byte boundary.</summary>
    public RawTar Data(Stream data, long length)
    {
        _parts.Add(data);
        _parts.Add(new MemoryStream(new byte[(512 - length % 512) % 512]));
        return this;
    }

    public RawTar Data(byte[] data) => Data(new MemoryStream(data), data.Length);

    /// <summary>The archive with its two end blocks, counting how much of it a reader consumed.</summary>
    public CountingStream Stream() => new([.. _parts, new MemoryStream(new byte[1024])]);
}

/// <summary>Streams read one after another, counting what the reader took.</summary>
internal sealed class CountingStream(IReadOnlyList<Stream> parts) : ForwardReadStream
{
    private int _current;

    public long Consumed { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        while (_current < parts.Count)
        {
            var read = parts[_current].Read(buffer);
            if (read > 0)
            {
                Consumed += read;
                return read;
            }
            _current++;
        }
        return 0;
    }
}
