namespace Skiff.Linux;

/// <summary>Linux capabilities by name (as the OCI spec and Docker spell them) and the calls that set them.</summary>
public static class Capabilities
{
    public static readonly IReadOnlyList<string> Names =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>The set Docker grants by default (moby's oci/caps/defaults.go).</summary>
    public static readonly IReadOnlyList<string> DockerDefault =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    /// <summary>Accepts "NET_ADMIN", "net_admin" or "CAP_NET_ADMIN"; null when the name is unknown.</summary>
    public static string? Normalize(string name)
    {
        var upper = name.Trim().ToUpperInvariant();
        if (!upper.StartsWith("CAP_", StringComparison.Ordinal)) upper = "CAP_" + upper;
        return Names.Contains(upper) ? upper : null;
    }

    public static int Number(string name)
    {
        for (var i = 0; i < Names.Count; i++)
            if (Names[i] == name) return i;
        throw new InvalidInputException($"unknown capability \"{name}\"");
    }

    public static ulong Mask(IEnumerable<string> names)
    {
        ulong mask = 0;
        foreach (var n in names) mask |= 1UL << Number(n);
        return mask;
    }

    /// <summary>The highest capability this kernel knows; read before pivot_root hides the host's /proc.</summary>
    public static int LastCap()
    {
        try { return int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim()); }
        catch (IOException) { return Names.Count - 1; }
    }

    /// <summary>
    /// The bounding set of this process: a container can never get more. Some hosts withhold a
    /// capability even from root (a sandboxed root without CAP_SYS_RESOURCE, say), and asking capset
    /// for it would fail the whole start.
    /// </summary>
    public static ulong CurrentBounding()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("CapBnd:", StringComparison.Ordinal))
                return Convert.ToUInt64(line[7..].Trim(), 16);
        return ulong.MaxValue;
    }

    private const int PrCapbsetDrop = 24, PrSetKeepCaps = 8, PrCapAmbient = 47, PrCapAmbientRaise = 2,
        PrCapAmbientClearAll = 4, PrSetNoNewPrivs = 38;
    private const uint CapabilityVersion3 = 0x20080522;

    public static void DropBoundingExcept(ulong keep, int lastCap)
    {
        for (var cap = 0; cap <= lastCap; cap++)
            if ((keep & (1UL << cap)) == 0)
                SyscallException.Check(Libc.prctl(PrCapbsetDrop, (nuint)cap, 0, 0, 0), $"drop capability {cap} from the bounding set");
    }

    /// <summary>Keeps the permitted set across the switch from root to the container's user, as runc does.</summary>
    public static void SetKeepCaps(bool keep) =>
        SyscallException.Check(Libc.prctl(PrSetKeepCaps, keep ? 1u : 0u, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)");

    public static void Set(ulong effective, ulong permitted, ulong inheritable)
    {
        var header = new Libc.CapHeader { Version = CapabilityVersion3, Pid = 0 };
        var data = new Libc.CapData[]
        {
            new() { Effective = (uint)effective, Permitted = (uint)permitted, Inheritable = (uint)inheritable },
            new() { Effective = (uint)(effective >> 32), Permitted = (uint)(permitted >> 32), Inheritable = (uint)(inheritable >> 32) },
        };
        SyscallException.Check(Libc.capset(ref header, data), "capset");
    }

    public static void SetAmbient(ulong ambient, int lastCap)
    {
        SyscallException.Check(Libc.prctl(PrCapAmbient, PrCapAmbientClearAll, 0, 0, 0), "clear ambient capabilities");
        for (var cap = 0; cap <= lastCap; cap++)
            if ((ambient & (1UL << cap)) != 0)
                SyscallException.Check(Libc.prctl(PrCapAmbient, PrCapAmbientRaise, (nuint)cap, 0, 0), $"raise ambient capability {cap}");
    }

    public static void SetNoNewPrivileges() =>
        SyscallException.Check(Libc.prctl(PrSetNoNewPrivs, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)");
}
