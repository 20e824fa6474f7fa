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

    public void Unshare(NamespaceKind kinds) => Record($"unshare {kinds}");

    public void UnshareFs() => Record("unshare fs");

    public void JoinNamespace(string path, NamespaceKind kind) => Record($"setns {path} {kind}");

    public void WriteSysctl(string key, string value) => Record($"sysctl {key}={value}");

    public void BringUpInterface(string name) => Record($"link up {name}");

    public void SetRlimit(string type, ulong soft, ulong hard) => Record($"setrlimit {type} {soft} {hard}");

    public void SetUmask(uint mask) => Record($"umask {Convert.ToString(mask, 8)}");

    /// <summary>What <see cref="LastCapability"/> answers: CAP_CHECKPOINT_RESTORE, as on Debian 12's kernel.</summary>
    public int LastCap { get; init; } = 40;

    /// <summary>What <see cref="BoundingSet"/> answers: everything, unless a test withholds some.</summary>
    public ulong Bounding { get; init; } = ulong.MaxValue;

    public int LastCapability() => LastCap;

    public ulong BoundingSet() => Bounding;

    public void DropBoundingExcept(ulong keep, int lastCap) => Record($"bounding keep {Names(keep)}");

    public void SetKeepCapabilities(bool keep) => Record($"keepcaps {(keep ? "on" : "off")}");

    public void SetCapabilities(ulong effective, ulong permitted, ulong inheritable) =>
        Record($"capset e={Names(effective)} p={Names(permitted)} i={Names(inheritable)}");

    public void SetAmbientCapabilities(ulong ambient, int lastCap) => Record($"ambient {Names(ambient)}");

    public void SetNoNewPrivileges() => Record("no_new_privs");

    public void SetGroups(IReadOnlyList<uint> gids) => Record($"setgroups {string.Join(',', gids)}");

    public void SetResGid(uint gid) => Record($"setresgid {gid}");

    public void SetResUid(uint uid) => Record($"setresuid {uid}");

    public void LoadSeccomp(SockFilter[] program, uint flags) => Record($"seccomp {program.Length} instructions");

    public bool InsideRoot { get; init; } = true;

    public bool WorkingDirectoryInsideRoot() => InsideRoot;

    public void MarkAllCloseOnExec(int first) => Record($"cloexec from {first}");

    /// <summary>Records the exec and returns, as no real exec would; set to fail with an errno instead.</summary>
    public int? ExecErrno { get; init; }

    public void Exec(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp)
    {
        Record($"exec {path} {string.Join(' ', argv)}");
        if (ExecErrno is { } errno) throw new SyscallException($"exec \"{path}\"", errno);
    }

    private static string Names(ulong mask) =>
        mask == 0 ? "-" : string.Join(',', Enumerable.Range(0, 64).Where(c => (mask & (1UL << c)) != 0)
            .Select(c => c < Capabilities.Names.Count ? Capabilities.Names[c][4..] : c.ToString()));

    private void Record(string line) => Calls.Add(line.Replace(root, "$root", StringComparison.Ordinal));
}
