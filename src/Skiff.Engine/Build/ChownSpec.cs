using Skiff.Images;

namespace Skiff.Engine.Build;

/// <summary>
/// COPY and ADD's <c>--chown=USER[:GROUP]</c>: numbers as they are, names looked up in the image's
/// own <c>/etc/passwd</c> and <c>/etc/group</c> (read from its layers, nothing run). Without a group,
/// a named user's primary group, or the same number as the user's id.
/// </summary>
public static class ChownSpec
{
    public static (int Uid, int Gid) Resolve(string spec, Func<string, string?> readImageFile)
    {
        var parts = spec.Split(':', 2);
        if (parts[0].Length == 0 || (parts.Length == 2 && parts[1].Length == 0))
            throw new BuildException($"invalid --chown={spec}: write USER[:GROUP], names or ids");
        int uid, primaryGid;
        if (int.TryParse(parts[0], out uid))
            primaryGid = uid;
        else
        {
            var entry = Lookup(readImageFile("etc/passwd"), parts[0])
                        ?? throw new BuildException($"--chown={spec}: no user '{parts[0]}' in the image's /etc/passwd: create the user first or give a numeric id");
            uid = Id(entry, 2, spec);
            primaryGid = Id(entry, 3, spec);
        }
        if (parts.Length == 1)
            return (uid, primaryGid);
        if (int.TryParse(parts[1], out var gid))
            return (uid, gid);
        var group = Lookup(readImageFile("etc/group"), parts[1])
                    ?? throw new BuildException($"--chown={spec}: no group '{parts[1]}' in the image's /etc/group: create the group first or give a numeric id");
        return (uid, Id(group, 2, spec));
    }

    private static string[]? Lookup(string? file, string name) =>
        file?.Split('\n').Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 3 && f[0] == name);

    private static int Id(string[] fields, int index, string spec) =>
        int.TryParse(fields[index], out var id) ? id : throw new BuildException($"--chown={spec}: the image's entry for '{fields[0]}' has no numeric id");

    /// <summary>A file of an image's merged layers as text, or null when it has none.</summary>
    public static Func<string, string?> Reader(MergedTree? tree) => path =>
        tree?.Locate(path.Split('/')) is { } found && File.Exists(found) ? File.ReadAllText(found) : null;
}
