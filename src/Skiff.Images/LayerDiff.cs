using Skiff.Linux;

namespace Skiff.Images;

/// <summary>
/// A container's overlay upper dir as an OCI layer: what it adds and changes are copied as they
/// are, an overlay whiteout (a 0:0 character device) becomes a <c>.wh.NAME</c> entry and an opaque
/// directory (xattr trusted.overlay.opaque=y) gets a <c>.wh..wh..opq</c> entry, the reverse of what
/// <see cref="LayerUnpacker"/> does.
/// </summary>
public static class LayerDiff
{
    private const string OpaqueXattr = "trusted.overlay.opaque";

    public static IEnumerable<ArchiveMember> Members(string upperDir)
    {
        foreach (var member in TreeArchive.Walk(upperDir, ""))
        {
            if (IsWhiteout(member.Path))
            {
                var slash = member.Name.LastIndexOf('/');
                yield return member with { Name = member.Name[..(slash + 1)] + ".wh." + member.Name[(slash + 1)..], Whiteout = true };
                continue;
            }
            yield return member;
            if (TreeArchive.IsDirectory(member.Path) && FileNodes.Lgetxattr(member.Path, OpaqueXattr) == "y")
                yield return new ArchiveMember(member.Path, member.Name + "/.wh..wh..opq", Whiteout: true);
        }
    }

    public static void Write(string upperDir, Stream output) => TreeArchive.Write(output, Members(upperDir));

    internal static bool IsWhiteout(string path) =>
        FileNodes.Lstat(path) is { Type: FileNodes.SIfChr, RdevMajor: 0, RdevMinor: 0 };
}
