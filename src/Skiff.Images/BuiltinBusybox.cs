using System.Buffers.Binary;
using System.Diagnostics;
using System.Formats.Tar;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Skiff.Images;

/// <summary>The image Skiff has without a registry: one layer made from the host's statically linked
/// busybox, laid out like Docker Hub's busybox (every applet a symlink in /bin, the usual users and
/// groups). The layer tar and the JSON are deterministic (sorted entries, the binary's own mtime,
/// owner 0:0), so the same busybox always gives the same digests.</summary>
public static class BuiltinBusybox
{
    public const string Reference = "busybox:latest";
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static readonly string[] Candidates = ["/bin/busybox", "/usr/bin/busybox"];
    private const string InstallHint = "install it with `apt-get install busybox-static`";

    private const UnixFileMode Mode0755 = (UnixFileMode)0b111_101_101;
    private const UnixFileMode Mode0644 = (UnixFileMode)0b110_100_100;
    private const UnixFileMode Mode0700 = (UnixFileMode)0b111_000_000;
    private const UnixFileMode Mode0777 = (UnixFileMode)0b111_111_111;
    private const UnixFileMode Mode1777 = Mode0777 | UnixFileMode.StickyBit;

    private static readonly (string Path, UnixFileMode Mode)[] Directories =
    [
        ("bin", Mode0755), ("dev", Mode0755), ("etc", Mode0755), ("home", Mode0755), ("proc", Mode0755),
        ("root", Mode0700), ("run", Mode0755), ("sbin", Mode0755), ("sys", Mode0755), ("tmp", Mode1777),
        ("usr", Mode0755), ("usr/bin", Mode0755), ("usr/sbin", Mode0755), ("var", Mode0755),
        ("var/spool", Mode0755), ("var/spool/mail", Mode0755), ("var/tmp", Mode1777), ("var/www", Mode0755),
    ];

    // As in Docker Hub's busybox image, except that nobody's home is /nonexistent.
    private const string Passwd = """
        root:x:0:0:root:/root:/bin/sh
        daemon:x:1:1:daemon:/usr/sbin:/bin/false
        bin:x:2:2:bin:/bin:/bin/false
        sys:x:3:3:sys:/dev:/bin/false
        sync:x:4:100:sync:/bin:/bin/sync
        mail:x:8:8:mail:/var/spool/mail:/bin/false
        www-data:x:33:33:www-data:/var/www:/bin/false
        operator:x:37:37:Operator:/var:/bin/false
        nobody:x:65534:65534:nobody:/nonexistent:/bin/false

        """;

    private const string Group = """
        root:x:0:
        daemon:x:1:
        bin:x:2:
        sys:x:3:
        adm:x:4:
        tty:x:5:
        disk:x:6:
        lp:x:7:
        mail:x:8:
        kmem:x:9:
        wheel:x:10:root
        cdrom:x:11:
        dialout:x:18:
        floppy:x:19:
        video:x:28:
        audio:x:29:
        tape:x:32:
        www-data:x:33:daemon
        operator:x:37:
        utmp:x:43:
        plugdev:x:46:
        staff:x:50:
        lock:x:54:
        netdev:x:82:
        users:x:100:
        nogroup:x:65534:

        """;

    /// <summary>Stores the layer, config and manifest blobs and returns the manifest digest. The
    /// caller records the reference and unpacks the snapshot.</summary>
    internal static Digest Create(ContentStore content)
    {
        var binary = Locate();
        var mtime = DateTimeOffset.FromUnixTimeSeconds(new DateTimeOffset(File.GetLastWriteTimeUtc(binary)).ToUnixTimeSeconds());
        var version = Version(binary);

        var layer = BuildLayer(binary, Applets(binary), mtime);
        var layerDigest = content.WriteBytes(layer);

        var config = new OciImageConfig
        {
            Created = mtime,
            Architecture = Architecture(RuntimeInformation.OSArchitecture),
            Os = "linux",
            Config = new OciContainerConfig { Env = [DefaultPath], Cmd = ["sh"] },
            // The layer is stored uncompressed, so its diff_id is its digest.
            RootFs = new OciRootFs { DiffIds = [layerDigest] },
            History = [new OciHistory { Created = mtime, CreatedBy = $"created by skiff from the host's busybox-static {version}" }],
        };
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(config, OciJsonContext.Default.OciImageConfig);
        var configDigest = content.WriteBytes(configBytes);

        var manifest = new OciImageManifest
        {
            Config = new OciDescriptor { MediaType = OciMediaTypes.ImageConfig, Digest = configDigest, Size = configBytes.Length },
            Layers = [new OciDescriptor { MediaType = OciMediaTypes.Layer, Digest = layerDigest, Size = layer.Length }],
        };
        return content.WriteBytes(JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Default.OciImageManifest));
    }

    /// <summary>The host's busybox, if it is there and statically linked: a dynamic one would find no
    /// libc inside the container.</summary>
    public static string Locate()
    {
        var found = Candidates.FirstOrDefault(File.Exists)
            ?? throw new BusyboxUnavailableException($"no busybox found at {string.Join(" or ", Candidates)}; {InstallHint}");
        if (!IsStaticElf(found))
            throw new BusyboxUnavailableException($"{found} is not a statically linked ELF executable; {InstallHint}");
        return found;
    }

    /// <summary>True for an ELF executable without a PT_INTERP program header, i.e. one the kernel runs
    /// without a dynamic loader.</summary>
    internal static bool IsStaticElf(string path)
    {
        const uint PtInterp = 3;
        using var file = File.OpenRead(path);
        var header = new byte[64];
        if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < 52 || !header.AsSpan(0, 4).SequenceEqual("\x7f"u8 + "ELF"u8))
            return false;
        var is64 = header[4] == 2;
        var little = header[5] == 1;
        ulong U(int offset, int size) => (size, little) switch
        {
            (2, true) => BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(offset)),
            (2, false) => BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(offset)),
            (4, true) => BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(offset)),
            (4, false) => BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(offset)),
            (_, true) => BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(offset)),
            _ => BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(offset)),
        };
        var phOff = is64 ? U(0x20, 8) : U(0x1C, 4);
        var phEntSize = (int)(is64 ? U(0x36, 2) : U(0x2A, 2));
        var phNum = (int)(is64 ? U(0x38, 2) : U(0x2C, 2));
        if (phNum == 0 || phEntSize < 4)
            return false;

        var table = new byte[phEntSize * phNum];
        file.Position = (long)phOff;
        file.ReadExactly(table);
        for (var i = 0; i < phNum; i++)
        {
            var type = table.AsSpan(i * phEntSize, 4);
            var pType = little ? BinaryPrimitives.ReadUInt32LittleEndian(type) : BinaryPrimitives.ReadUInt32BigEndian(type);
            if (pType == PtInterp)
                return false;
        }
        return true;
    }

    /// <summary>The layer tar: every entry owned by 0:0, stamped with the binary's mtime, in sorted
    /// order. Ustar rather than PAX because .NET's PAX entries carry the current time as atime/ctime.</summary>
    internal static byte[] BuildLayer(string binary, IEnumerable<string> applets, DateTimeOffset mtime)
    {
        var entries = new List<UstarTarEntry>();
        UstarTarEntry Entry(TarEntryType type, string name, UnixFileMode mode) =>
            new(type, name) { Mode = mode, Uid = 0, Gid = 0, UserName = "root", GroupName = "root", ModificationTime = mtime };

        foreach (var (path, mode) in Directories)
            entries.Add(Entry(TarEntryType.Directory, path + "/", mode));
        entries.Add(Entry(TarEntryType.RegularFile, "bin/busybox", Mode0755));
        entries.Add(TextFile("etc/passwd", Passwd));
        entries.Add(TextFile("etc/group", Group));
        foreach (var applet in applets)
        {
            var link = Entry(TarEntryType.SymbolicLink, "bin/" + applet, Mode0777);
            link.LinkName = "busybox";
            entries.Add(link);
        }

        UstarTarEntry TextFile(string name, string text)
        {
            var file = Entry(TarEntryType.RegularFile, name, Mode0644);
            file.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text));
            return file;
        }

        // Sorting on the name without its trailing slash keeps each directory before its contents.
        entries.Sort((a, b) => string.CompareOrdinal(a.Name.TrimEnd('/'), b.Name.TrimEnd('/')));

        using var output = new MemoryStream();
        using (var binaryStream = File.OpenRead(binary))
        using (var writer = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                if (entry.Name == "bin/busybox")
                    entry.DataStream = binaryStream;
                writer.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    /// <summary>The applet names from <c>busybox --list</c>, sorted, without "busybox" itself.</summary>
    private static IEnumerable<string> Applets(string binary)
    {
        var applets = RunBusybox(binary, "--list")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(a => a != "busybox")
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        // Applet names become file names in /bin.
        if (applets.FirstOrDefault(a => a.Contains('/') || a is "." or "..") is { } bad)
            throw new BusyboxUnavailableException($"{binary} --list printed an unusable applet name '{bad}'");
        if (!applets.Contains("sh"))
            throw new BusyboxUnavailableException($"{binary} has no 'sh' applet; {InstallHint}");
        return applets;
    }

    /// <summary>"v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1)" from the first line of <c>busybox --help</c>.</summary>
    private static string Version(string binary)
    {
        var first = RunBusybox(binary, "--help").Split('\n')[0].Trim();
        const string prefix = "BusyBox ";
        const string suffix = " multi-call binary.";
        var version = first.StartsWith(prefix, StringComparison.Ordinal) ? first[prefix.Length..] : first;
        return version.EndsWith(suffix, StringComparison.Ordinal) ? version[..^suffix.Length] : version;
    }

    private static string RunBusybox(string binary, string argument)
    {
        var start = new ProcessStartInfo(binary, argument) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new BusyboxUnavailableException($"could not run {binary}");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new BusyboxUnavailableException($"`{binary} {argument}` exited with {process.ExitCode}; {InstallHint}");
        return output;
    }

    /// <summary>The OCI/Go name of an architecture.</summary>
    internal static string Architecture(System.Runtime.InteropServices.Architecture architecture) => architecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        System.Runtime.InteropServices.Architecture.LoongArch64 => "loong64",
        _ => throw new PlatformNotSupportedException($"no OCI name for architecture {architecture}"),
    };
}

public sealed class BusyboxUnavailableException(string message) : ImageException(message);
