using System.Diagnostics;
using System.Formats.Tar;
using System.Runtime.InteropServices;
using System.Text;

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

    [LibraryImport("libc", EntryPoint = "lgetxattr", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Lgetxattr(string path, string name, byte[] value, nuint size);
}
