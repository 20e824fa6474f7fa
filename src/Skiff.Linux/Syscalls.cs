namespace Skiff.Linux;

[Flags]
public enum MountFlags : ulong
{
    None = 0,
    ReadOnly = 1,
    NoSuid = 2,
    NoDev = 4,
    NoExec = 8,
    Remount = 32,
    NoAtime = 1024,
    NoDirAtime = 2048,
    Bind = 4096,
    Move = 8192,
    Recursive = 16384,
    Private = 1 << 18,
    Slave = 1 << 19,
    Shared = 1 << 20,
    RelAtime = 1 << 21,
    StrictAtime = 1 << 24,
}

/// <summary>
/// The privileged calls a container's init makes (its filesystem, namespaces, identity,
/// capabilities, limits, exec), behind one seam as youki's <c>Syscall</c> trait: the real
/// implementation calls the kernel, a recorder in the unit tests checks order and arguments.
/// </summary>
public interface ISyscalls
{
    void Mount(string? source, string target, string? fstype, MountFlags flags, string? data);
    void Unmount(string target, bool detach);
    void PivotRoot(string newRoot, string putOld);
    void Chdir(string path);
    void Mknod(string path, uint mode, uint major, uint minor);
    void Symlink(string target, string linkPath);
    void MkdirAll(string path);
    /// <summary>Creates an empty file (and its parents) when missing: a bind mount target for a file.</summary>
    void Touch(string path);
    void Chown(string path, uint uid, uint gid);
    void SetHostname(string name);
    /// <summary>Makes a mount and every mount below it read-only (mount_setattr with AT_RECURSIVE).</summary>
    void MakeReadOnlyRecursive(string target);

    /// <summary>Moves the calling thread into new namespaces.</summary>
    void Unshare(NamespaceKind kinds);
    /// <summary>Gives the calling thread its own fs struct, which joining a mount namespace needs.</summary>
    void UnshareFs();
    void JoinNamespace(string path, NamespaceKind kind);
    /// <summary>Writes a kernel parameter ("net.ipv4.ip_forward") under /proc/sys.</summary>
    void WriteSysctl(string key, string value);
    void BringUpInterface(string name);
    void SetRlimit(string type, ulong soft, ulong hard);
    void SetUmask(uint mask);
    /// <summary>The highest capability this kernel knows.</summary>
    int LastCapability();
    /// <summary>The calling process's bounding set: what a container can be given at most.</summary>
    ulong BoundingSet();
    void DropBoundingExcept(ulong keep, int lastCap);
    void SetKeepCapabilities(bool keep);
    void SetCapabilities(ulong effective, ulong permitted, ulong inheritable);
    /// <summary>Clears the ambient set, then raises exactly <paramref name="ambient"/>.</summary>
    void SetAmbientCapabilities(ulong ambient, int lastCap);
    void SetNoNewPrivileges();
    void SetGroups(IReadOnlyList<uint> gids);
    void SetResGid(uint gid);
    void SetResUid(uint uid);
    void LoadSeccomp(SockFilter[] program, uint flags);
    /// <summary>Whether the working directory is reachable from the root (getcwd succeeds).</summary>
    bool WorkingDirectoryInsideRoot();
    /// <summary>Marks every descriptor from <paramref name="first"/> up close-on-exec.</summary>
    void MarkAllCloseOnExec(int first);
    /// <summary>Replaces the process with the program; returns only by throwing.</summary>
    void Exec(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp);
}

public sealed partial class LinuxSyscalls : ISyscalls
{
    public static readonly LinuxSyscalls Instance = new();

    private const int MntDetach = 2;

    public void Mount(string? source, string target, string? fstype, MountFlags flags, string? data) =>
        SyscallException.Check(Libc.mount(source, target, fstype, (ulong)flags, data),
            $"mount {source ?? fstype ?? "none"} on {target} ({fstype ?? "no type"}, {flags}{(data is null ? "" : ", " + data)})");

    public void Unmount(string target, bool detach) =>
        SyscallException.Check(Libc.umount2(target, detach ? MntDetach : 0), $"umount {target}");

    public void PivotRoot(string newRoot, string putOld)
    {
        var nr = System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8(newRoot);
        var po = System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8(putOld);
        try
        {
            SyscallException.Check(Libc.syscall(SyscallNumbers.PivotRoot, nr, po, 0), $"pivot_root({newRoot}, {putOld})");
        }
        finally
        {
            System.Runtime.InteropServices.Marshal.FreeCoTaskMem(nr);
            System.Runtime.InteropServices.Marshal.FreeCoTaskMem(po);
        }
    }

    public void Chdir(string path) => SyscallException.Check(Libc.chdir(path), $"chdir {path}");

    public void Mknod(string path, uint mode, uint major, uint minor)
    {
        // A mode without a file type makes a character device, the kind nearly every node is.
        var typed = (mode & 0xf000) == 0 ? FileNodes.SIfChr | mode : mode;
        SyscallException.Check(Libc.mknod(path, typed, FileNodes.DeviceNumber(major, minor)), $"mknod {path} {major} {minor}");
        // mknod honours the umask; the device modes are part of the contract, so set them exactly.
        File.SetUnixFileMode(path, (UnixFileMode)(mode & 0xfff));
    }

    public void Symlink(string target, string linkPath) => File.CreateSymbolicLink(linkPath, target);

    public void MkdirAll(string path) => Directory.CreateDirectory(path);

    public void Chown(string path, uint uid, uint gid) => SyscallException.Check(Libc.chown(path, uid, gid), $"chown {path}");

    public void Touch(string path)
    {
        if (File.Exists(path)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (File.Open(path, FileMode.OpenOrCreate, FileAccess.Write)) { }
    }

    public unsafe void MakeReadOnlyRecursive(string target)
    {
        const int atFdCwd = -100, atRecursive = 0x8000;
        const ulong mountAttrRdonly = 1;
        // struct mount_attr: attr_set, attr_clr, propagation, userns_fd.
        var attr = stackalloc ulong[4] { mountAttrRdonly, 0, 0, 0 };
        var path = System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8(target);
        try
        {
            SyscallException.Check(Libc.syscall5(SyscallNumbers.MountSetattr, atFdCwd, path, atRecursive, (nint)attr, 4 * sizeof(ulong)),
                $"mount_setattr {target} (recursive read-only)");
        }
        finally
        {
            System.Runtime.InteropServices.Marshal.FreeCoTaskMem(path);
        }
    }

    public void SetHostname(string name) =>
        SyscallException.Check(Libc.sethostname(name, (nuint)System.Text.Encoding.UTF8.GetByteCount(name)), $"sethostname {name}");
}

internal static class SyscallNumbers
{
    private static readonly bool Arm64 =
        System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64;

    public static long PivotRoot => Arm64 ? 41 : 155;
    // The newer syscalls share one number on every architecture.
    public const long PidfdOpen = 434;
    public const long MountSetattr = 442;
    public const long PidfdGetfd = 438;
    public const long CloseRange = 436;
}
