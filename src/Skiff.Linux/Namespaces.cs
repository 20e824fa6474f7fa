namespace Skiff.Linux;

[Flags]
public enum NamespaceKind
{
    None = 0,
    Mount = 0x00020000,   // CLONE_NEWNS
    Cgroup = 0x02000000,  // CLONE_NEWCGROUP
    Uts = 0x04000000,     // CLONE_NEWUTS
    Ipc = 0x08000000,     // CLONE_NEWIPC
    User = 0x10000000,    // CLONE_NEWUSER
    Pid = 0x20000000,     // CLONE_NEWPID
    Network = 0x40000000, // CLONE_NEWNET
}

public static class Namespaces
{
    public const int CloneFs = 0x00000200;

    /// <summary>Moves the calling OS thread (not the process: .NET is multithreaded) into new namespaces.</summary>
    public static void Unshare(NamespaceKind kinds) =>
        SyscallException.Check(Libc.unshare((int)kinds), $"unshare({kinds})");

    public static void UnshareFs() => SyscallException.Check(Libc.unshare(CloneFs), "unshare(CLONE_FS)");

    public static void Join(string nsPath, NamespaceKind kind)
    {
        using var fd = File.OpenHandle(nsPath, FileMode.Open, FileAccess.Read);
        SyscallException.Check(Libc.setns((int)fd.DangerousGetHandle(), (int)kind), $"setns({nsPath})");
    }

    /// <summary>The OCI runtime-spec name of a namespace ("network", "mount", ...) as a clone flag.</summary>
    public static NamespaceKind FromSpecName(string type) => type switch
    {
        "mount" => NamespaceKind.Mount,
        "cgroup" => NamespaceKind.Cgroup,
        "uts" => NamespaceKind.Uts,
        "ipc" => NamespaceKind.Ipc,
        "user" => NamespaceKind.User,
        "pid" => NamespaceKind.Pid,
        "network" => NamespaceKind.Network,
        _ => throw new InvalidInputException($"unknown namespace type \"{type}\""),
    };
}
