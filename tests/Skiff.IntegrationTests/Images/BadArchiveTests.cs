using System.Formats.Tar;
using System.Text.RegularExpressions;
using static Skiff.IntegrationTests.Images.ImageTools;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests.Images;

/// <summary>Damaged and crafted archives given to import and load, as a careless or hostile user
/// would: each is refused at once with one sentence that names what is wrong, and leaves no image,
/// blob or snapshot behind.</summary>
[Collection("images")]
public sealed partial class BadArchiveTests : IDisposable
{
    private readonly string _dir = Path.Join(Path.GetTempPath(), $"skiff-bad-archive-{Guid.NewGuid():N}");

    public BadArchiveTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Made(string name) => Path.Join(_dir, name);

    /// <summary>A real root filesystem tar written by GNU tar: busybox-static and a symlink to it.</summary>
    private string GoodRootfs()
    {
        var rootfs = Made("rootfs");
        Directory.CreateDirectory(Path.Join(rootfs, "bin"));
        File.Copy("/bin/busybox", Path.Join(rootfs, "bin", "busybox"), overwrite: true);
        if (!File.Exists(Path.Join(rootfs, "bin", "sh")))
            File.CreateSymbolicLink(Path.Join(rootfs, "bin", "sh"), "busybox");
        var tar = Made("good.tar");
        Must(Sh($"tar -C {rootfs} -cf {tar} ."));
        return tar;
    }

    private string Crafted(string name, Action<TarWriter> write)
    {
        var path = Made(name);
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        write(tar);
        return path;
    }

    private string Prepare(string kind)
    {
        switch (kind)
        {
            case "random bytes":
                var noise = new byte[64 << 10];
                new Random(12).NextBytes(noise);
                File.WriteAllBytes(Made("noise.bin"), noise);
                return Made("noise.bin");
            case "an empty file":
                File.WriteAllBytes(Made("empty.tar"), []);
                return Made("empty.tar");
            case "a tar of nothing":
                Must(Sh($"tar -cf {Made("nothing.tar")} -T /dev/null"));
                return Made("nothing.tar");
            case "a truncated tar":
                var good = File.ReadAllBytes(GoodRootfs());
                File.WriteAllBytes(Made("cut.tar"), good[..700_000]);
                return Made("cut.tar");
            case "a truncated gzip":
                Must(Sh($"gzip -c {GoodRootfs()} | head -c 500000 > {Made("cut.tar.gz")}"));
                return Made("cut.tar.gz");
            case "a header claiming 1 TiB":
                // A GNU header whose size field, in base-256, says 1 TiB, with 4 KiB after it.
                var header = new byte[512];
                using (var one = new MemoryStream())
                {
                    using (var writer = new TarWriter(one, TarEntryFormat.Gnu, leaveOpen: true))
                        writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "huge"));
                    one.ToArray().AsSpan(0, 512).CopyTo(header);
                }
                header.AsSpan(124, 12).Clear();
                header[124] = 0x80;
                BitConverter.GetBytes(1L << 40).Reverse().ToArray().CopyTo(header, 124 + 4);
                header.AsSpan(148, 8).Fill((byte)' ');
                System.Text.Encoding.ASCII.GetBytes(Convert.ToString(header.Sum(b => (long)b), 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
                File.WriteAllBytes(Made("huge.tar"), [.. header, .. new byte[4096]]);
                return Made("huge.tar");
            case "a member climbing out with ..":
                return Crafted("climb.tar", tar => tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "../../../../tmp/x") { DataStream = new MemoryStream("evil"u8.ToArray()) }));
            case "a hard link to /etc/shadow":
                return Crafted("shadow.tar", tar => tar.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "shadow_RELESC") { LinkName = "/etc/shadow" }));
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    private static (string[] Blobs, string[] Snapshots, string Images) StoreState()
    {
        static string[] Entries(string dir) => Directory.Exists(dir) ? [.. Directory.EnumerateFileSystemEntries(dir).Order()] : [];
        return (Entries(Path.Join(StateRoot, "images", "blobs", "sha256")), Entries(Path.Join(StateRoot, "images", "snapshots")),
            Must(RunSkiff("images", "-a", "--no-trunc")).Stdout);
    }

    [Theory]
    [InlineData("random bytes", "not a tar archive")]
    [InlineData("an empty file", "it is empty")]
    [InlineData("a tar of nothing", "holds no files")]
    [InlineData("a truncated tar", "member './bin/busybox': the archive ends")]
    [InlineData("a truncated gzip", "member './bin/busybox': the archive ends")]
    [InlineData("a header claiming 1 TiB", "member 'huge': the archive ends 1099511623680 bytes before the end of its 1099511627776 bytes")]
    [InlineData("a member climbing out with ..", "'../../../../tmp/x': a path with a '..' component")]
    [InlineData("a hard link to /etc/shadow", "'shadow_RELESC': hard link target '/etc/shadow' is an absolute path")]
    public void Import_refuses_a_bad_archive_at_once_naming_what_is_wrong_and_keeps_nothing(string kind, string expected)
    {
        var archive = Prepare(kind);
        var before = StoreState();

        var import = RunSkiff("import", archive, "bad/import:v1");

        Assert.Equal(125, import.ExitCode);
        Assert.Contains(expected, import.Stderr);
        Assert.Single(import.Stderr.TrimEnd().Split('\n'));
        var after = StoreState();
        Assert.Equal(before.Blobs, after.Blobs);
        Assert.Equal(before.Snapshots, after.Snapshots);
        Assert.Equal(before.Images, after.Images);
        Assert.False(File.Exists("/tmp/x"));
    }

    [Fact]
    public void Load_verifies_blobs_the_store_already_holds_and_a_failed_load_leaves_no_orphans()
    {
        Must(RunSkiff("import", GoodRootfs(), "bad/held:v1"));
        var archive = Made("held.tar");
        Must(RunSkiff("save", "-o", archive, "bad/held:v1"));
        // Corrupt the layer blob inside the archive (same size, one byte changed), and add a blob the
        // store lacks, which must not stay behind when the load fails.
        var extracted = Made("held");
        Directory.CreateDirectory(extracted);
        Must(Sh($"tar -C {extracted} -xf {archive}"));
        var layer = Directory.EnumerateFiles(Path.Join(extracted, "blobs", "sha256")).MaxBy(f => new FileInfo(f).Length)!;
        var bytes = File.ReadAllBytes(layer);
        bytes[100_000] ^= 0xff;
        File.WriteAllBytes(layer, bytes);
        var extra = "a blob only this archive has\n"u8.ToArray();
        File.WriteAllBytes(Path.Join(extracted, "blobs", "sha256", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(extra))), extra);
        var corrupt = Made("corrupt.tar");
        Must(Sh($"tar -C {extracted} -cf {corrupt} ."));
        var before = StoreState();

        var load = RunSkiff("load", "-i", corrupt);

        Assert.Equal(125, load.ExitCode);
        Assert.Contains("digest mismatch", load.Stderr);
        Assert.Single(load.Stderr.TrimEnd().Split('\n'));
        Assert.Equal(before.Blobs, StoreState().Blobs);
        Must(RunSkiff("rmi", "bad/held:v1"));
    }

    [Theory]
    [InlineData("manifest.json", "[{\"Config\":\"c.json\",\"RepoTags\":[\"x/y:1\"],\"Layers\":null}]", "lacks its \"Config\" or its \"Layers\" list")]
    [InlineData("manifest.json", "{not json", "manifest.json is not valid JSON")]
    [InlineData("index.json", "[1,2,3]", "index.json is not valid JSON")]
    [InlineData("index.json", "{\"schemaVersion\":2}", "index.json is not valid JSON of the expected shape")]
    public void Load_of_a_bad_manifest_or_index_says_so_in_one_sentence(string member, string content, string expected)
    {
        var dir = Made("meta");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Join(dir, member), content);
        File.WriteAllText(Path.Join(dir, "c.json"), "{}");
        var archive = Made("meta.tar");
        Must(Sh($"tar -C {dir} -cf {archive} ."));

        var load = RunSkiff("load", "-i", archive);

        Assert.Equal(125, load.ExitCode);
        Assert.Contains(expected, load.Stderr);
        Assert.Single(load.Stderr.TrimEnd().Split('\n'));
    }

    /// <summary>A runtime resource key ("IO_EOF_ReadBeyondEOF", "ArgumentNull_Generic") or a stack frame.</summary>
    [GeneratedRegex(@"\b[A-Z][A-Za-z]+_[A-Za-z_]+\b|^\s+at \S+\(|Exception:", RegexOptions.Multiline)]
    private static partial Regex RuntimeNoise();

    [Fact]
    public void No_bad_input_gets_a_resource_key_or_a_stack_trace()
    {
        var outputs = new List<RunResult>
        {
            SkiffWithInput("", "load"),
            RunSkiff("load", "-i", Made("missing.tar")),
            RunSkiff("load", "-i", _dir),
            RunSkiff("import", Made("missing.tar")),
            RunSkiff("import", _dir),
            RunSkiff("load", "-i", Prepare("random bytes")),
            RunSkiff("load", "-i", Prepare("a truncated tar")),
            RunSkiff("import", Prepare("a truncated gzip")),
            RunSkiff("import", Prepare("an empty file")),
            RunSkiff("import", "--change", "BOGUS x", GoodRootfs()),
            RunSkiff("run", "--rm", "no/such-image:v0", "true"),
            RunSkiff("image", "inspect", "no/such-image:v0"),
            RunSkiff("save", "-o", Made("x.tar"), "no/such-image:v0"),
            // An IOException no Skiff code wraps: readable only because the runtime keeps its messages.
            RunSkiff("save", "-o", Made("no/such/dir/x.tar"), "busybox"),
            RunSkiff("pull", "127.0.0.1:1/none:v1"),
        };

        foreach (var output in outputs)
        {
            Assert.NotEqual(0, output.ExitCode);
            Assert.False(RuntimeNoise().IsMatch(output.Stderr), output.ToString());
            Assert.NotEqual("", output.Stderr.Trim());
        }
    }
}
