using Skiff.Linux;
using System.Formats.Tar;
using Skiff.Images;

namespace Skiff.UnitTests.Images;

public sealed class LayerDiffTests : IDisposable
{
    private readonly TempDir _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private string Make(string relative, string? content = null)
    {
        var path = _scratch[relative];
        if (content is null)
            Directory.CreateDirectory(path);
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }
        return path;
    }

    private void Whiteout(string relative)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_scratch[relative])!);
        FileNodes.Mknod(_scratch[relative], FileNodes.SIfChr, 0, 0);
    }

    private static List<(string Name, TarEntryType Type, string Content, UnixFileMode Mode)> Read(Stream tar)
    {
        tar.Position = 0;
        using var reader = new TarReader(tar, leaveOpen: true);
        var entries = new List<(string, TarEntryType, string, UnixFileMode)>();
        while (reader.GetNextEntry() is { } e)
            entries.Add((e.Name.TrimEnd('/'), e.EntryType, e.DataStream is { } d ? new StreamReader(d).ReadToEnd() : "", e.Mode));
        return entries;
    }

    [RootFact]
    public void Overlay_whiteouts_and_opaque_directories_become_oci_whiteout_entries()
    {
        Make("upper/etc/new.conf", "new");
        Whiteout("upper/etc/gone");
        Make("upper/var/cache");
        FileNodes.Lsetxattr(_scratch["upper/var/cache"], "trusted.overlay.opaque", "y"u8);
        File.SetUnixFileMode(Make("upper/run.sh", "#!/bin/sh"), (UnixFileMode)0b111_101_000);

        using var tar = new MemoryStream();
        LayerDiff.Write(_scratch["upper"], tar);
        var entries = Read(tar);

        Assert.Equal(["etc", "etc/.wh.gone", "etc/new.conf", "run.sh", "var", "var/cache", "var/cache/.wh..wh..opq"], entries.Select(e => e.Name));
        Assert.Equal("new", entries.Single(e => e.Name == "etc/new.conf").Content);
        Assert.Equal(TarEntryType.RegularFile, entries.Single(e => e.Name == "etc/.wh.gone").Type);
        Assert.Equal((UnixFileMode)0b111_101_000, entries.Single(e => e.Name == "run.sh").Mode);
    }

    [RootFact]
    public void A_layer_made_from_an_upper_dir_unpacks_to_the_same_overlay_tree()
    {
        Whiteout("upper/a/gone");
        Make("upper/b");
        FileNodes.Lsetxattr(_scratch["upper/b"], "trusted.overlay.opaque", "y"u8);
        using var tar = new MemoryStream();
        LayerDiff.Write(_scratch["upper"], tar);
        tar.Position = 0;

        LayerUnpacker.Unpack(tar, _scratch["unpacked"], applyOwnership: true);

        Assert.True(LayerDiff.IsWhiteout(_scratch["unpacked/a/gone"]));
        Assert.Equal("y", FileNodes.Lgetxattr(_scratch["unpacked/b"], "trusted.overlay.opaque"));
    }

    [RootFact]
    public void The_merged_view_shows_the_top_layer_and_hides_whiteouts_and_what_opaque_dirs_cover()
    {
        Make("lower/etc/passwd", "old");
        Make("lower/etc/hosts", "hosts");
        Make("lower/var/cache/stale", "x");
        Make("upper/etc/passwd", "new");
        Whiteout("upper/etc/hosts");
        Make("upper/var/cache/fresh", "y");
        FileNodes.Lsetxattr(_scratch["upper/var/cache"], "trusted.overlay.opaque", "y"u8);
        var merged = new MergedTree([_scratch["lower"], _scratch["upper"]]);

        using var tar = new MemoryStream();
        TreeArchive.Write(tar, merged.Walk([], ""));
        var entries = Read(tar);

        Assert.Equal(["etc", "etc/passwd", "var", "var/cache", "var/cache/fresh"], entries.Select(e => e.Name));
        Assert.Equal("new", entries.Single(e => e.Name == "etc/passwd").Content);
        Assert.Null(merged.Locate(["etc", "hosts"]));
        Assert.Equal(_scratch["lower/etc/passwd"].Replace("lower", "upper"), merged.Locate(["etc", "passwd"]));
    }
}
