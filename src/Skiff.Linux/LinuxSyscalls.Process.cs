namespace Skiff.Linux;

/// <summary>The process side of <see cref="ISyscalls"/>: each call is the kernel's, with its errno as a typed exception.</summary>
public sealed partial class LinuxSyscalls
{
    public void Unshare(NamespaceKind kinds) => Namespaces.Unshare(kinds);

    public void UnshareFs() => Namespaces.UnshareFs();

    public void JoinNamespace(string path, NamespaceKind kind) => Namespaces.Join(path, kind);

    public void WriteSysctl(string key, string value) => File.WriteAllText("/proc/sys/" + key.Replace('.', '/'), value);

    public void BringUpInterface(string name) => InterfaceFlags.BringUp(name);

    public void SetRlimit(string type, ulong soft, ulong hard) => Rlimits.Set(type, soft, hard);

    public void SetUmask(uint mask) => ProcessControl.SetUmask(mask);

    public int LastCapability() => Capabilities.LastCap();

    public ulong BoundingSet() => Capabilities.CurrentBounding();

    public void DropBoundingExcept(ulong keep, int lastCap) => Capabilities.DropBoundingExcept(keep, lastCap);

    public void SetKeepCapabilities(bool keep) => Capabilities.SetKeepCaps(keep);

    public void SetCapabilities(ulong effective, ulong permitted, ulong inheritable) => Capabilities.Set(effective, permitted, inheritable);

    public void SetAmbientCapabilities(ulong ambient, int lastCap) => Capabilities.SetAmbient(ambient, lastCap);

    public void SetNoNewPrivileges() => Capabilities.SetNoNewPrivileges();

    public void SetGroups(IReadOnlyList<uint> gids) =>
        SyscallException.Check(Libc.setgroups((nuint)gids.Count, [.. gids]), "setgroups");

    public void SetResGid(uint gid) => SyscallException.Check(Libc.setresgid(gid, gid, gid), $"setgid {gid}");

    public void SetResUid(uint uid) => SyscallException.Check(Libc.setresuid(uid, uid, uid), $"setuid {uid}");

    public void LoadSeccomp(SockFilter[] program, uint flags) => SeccompFilter.Load(program, flags);

    public bool WorkingDirectoryInsideRoot() => WorkingDirectory.IsInsideRoot();

    public void MarkAllCloseOnExec(int first) => FileDescriptors.MarkAllCloseOnExec(first);

    public void Exec(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp) => ProcessControl.Exec(path, argv, envp);
}
