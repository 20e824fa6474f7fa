using System.Diagnostics;
using System.Formats.Tar;
using Skiff.Images;

namespace Skiff.UnitTests.Images;

/// <summary>Extended attributes from SCHILY.xattr.* PAX records, byte for byte.</summary>
public sealed class LayerXattrTests : IDisposable
{
    private readonly TempDir _scratch = new();
    private string Target => _scratch["target"];

    public void Dispose() => _scratch.Dispose();

    [RootFact]
    public void File_capabilities_and_user_xattrs_from_gnu_tar_survive_unpacking()
    {
        // GNU tar writes the raw capability struct; cap_setuid is bit 7, a byte that is no valid
        // UTF-8 on its own, so a value decoded as text would come out mangled.
        var source = _scratch["source"];
        Directory.CreateDirectory(Path.Combine(source, "bin"));
        var ping = Path.Combine(source, "bin/ping");
        File.WriteAllText(ping, "#!/bin/sh\n");
        File.SetUnixFileMode(ping, (UnixFileMode)0x1ed);
        Run("setcap", "cap_setuid,cap_net_raw+ep", ping);
        FileStat.SetXattr(Path.Combine(source, "bin"), "user.origin", [0xff, 0x00, 0x80, (byte)'x']);
        var layer = _scratch["layer.tar"];
        Run("tar", "--xattrs", "--xattrs-include=*", "-C", source, "-cf", layer, ".");

        using (var tar = File.OpenRead(layer))
            LayerUnpacker.Unpack(tar, Target, applyOwnership: true);

        var unpacked = Path.Combine(Target, "bin/ping");
        Assert.Equal(FileStat.XattrBytes(ping, "security.capability"), FileStat.XattrBytes(unpacked, "security.capability"));
        Assert.Contains("cap_setuid,cap_net_raw=ep", Run("getcap", unpacked));
        Assert.Equal([0xff, 0x00, 0x80, (byte)'x'], FileStat.XattrBytes(Path.Combine(Target, "bin"), "user.origin"));
        Assert.Equal("755", FileStat.Of(unpacked, "%a"));
    }

    [Fact]
    public void Without_privilege_trusted_and_security_xattrs_are_left_out_and_user_ones_kept()
    {
        var layer = new TarBuilder().WithRecords(TarEntryType.RegularFile, "f",
            ("SCHILY.xattr.user.note", "kept"),
            ("SCHILY.xattr.trusted.md5", "dropped"),
            ("SCHILY.xattr.security.selinux", "system_u:object_r:bin_t:s0"));

        LayerUnpacker.Unpack(layer.Stream(), Target, applyOwnership: false);

        var file = Path.Combine(Target, "f");
        Assert.Equal("kept", FileStat.Xattr(file, "user.note"));
        Assert.Null(FileStat.Xattr(file, "trusted.md5"));
        Assert.Null(FileStat.Xattr(file, "security.selinux"));
    }

    [RootFact]
    public void With_privilege_trusted_xattrs_are_set()
    {
        var layer = new TarBuilder().WithRecords(TarEntryType.Directory, "d/", ("SCHILY.xattr.trusted.skiff-test", "v"));

        LayerUnpacker.Unpack(layer.Stream(), Target, applyOwnership: true);

        Assert.Equal("v", FileStat.Xattr(Path.Combine(Target, "d"), "trusted.skiff-test"));
    }

    [Fact]
    public void An_xattr_the_kernel_refuses_fails_naming_the_member_and_the_xattr()
    {
        // The kernel keeps user.* xattrs off symlinks (EPERM).
        var layer = new TarBuilder().WithRecords(TarEntryType.SymbolicLink, "link", ("SCHILY.xattr.user.note", "x"));

        var error = Assert.Throws<LayerMemberException>(() => LayerUnpacker.Unpack(layer.Stream(), Target, applyOwnership: false));

        Assert.Equal("link", error.Member);
        Assert.Contains("user.note", error.Message);
        Assert.Contains("refused", error.Message);
    }

    private static string Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {output}");
        return output;
    }
}
