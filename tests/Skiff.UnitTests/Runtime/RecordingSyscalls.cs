using Skiff.Linux;

namespace Skiff.UnitTests.Runtime;

/// <summary>
/// An <see cref="ISyscalls"/> that records each call as one line, with <c>$root</c> standing for
/// the scratch directory so expectations read like the container's layout. Directories, empty files
/// and symlinks are really created under that directory, so the code's own existence checks see them;
/// nothing privileged (mount, mknod, pivot_root) happens.
/// </summary>
public sealed class RecordingSyscalls(string root) : ISyscalls
{
    public List<string> Calls { get; } = [];

    public static string MountLine(string? source, string target, string? fstype, MountFlags flags, string? data) =>
        $"mount {source ?? "-"} {target} {fstype ?? "-"} [{flags}] {data ?? "-"}";

    public void Mount(string? source, string target, string? fstype, MountFlags flags, string? data) =>
        Record(MountLine(source, target, fstype, flags, data));

    public void Unmount(string target, bool detach) => Record($"umount {target}{(detach ? " detach" : "")}");

    public void PivotRoot(string newRoot, string putOld) => Record($"pivot_root {newRoot} {putOld}");

    public void Chdir(string path) => Record($"chdir {path}");

    public void Mknod(string path, uint mode, uint major, uint minor) =>
        Record($"mknod {path} {Convert.ToString(mode, 8)} {major}:{minor}");

    public void Chown(string path, uint uid, uint gid) => Record($"chown {path} {uid}:{gid}");

    public void Symlink(string target, string linkPath)
    {
        Record($"symlink {linkPath} -> {target}");
        Directory.CreateDirectory(Path.GetDirectoryName(linkPath)!);
        File.CreateSymbolicLink(linkPath, target);
    }

    public void MkdirAll(string path)
    {
        Record($"mkdir {path}");
        Directory.CreateDirectory(path);
    }

    public void Touch(string path)
    {
        Record($"touch {path}");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path)) File.WriteAllText(path, "");
    }

    public void SetHostname(string name) => Record($"sethostname {name}");

    public void MakeReadOnlyRecursive(string target) => Record($"mount_setattr {target} recursive ro");

    private void Record(string line) => Calls.Add(line.Replace(root, "$root", StringComparison.Ordinal));
}
