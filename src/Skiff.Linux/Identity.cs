namespace Skiff.Linux;

public static class Identity
{
    public static bool IsRoot => Libc.geteuid() == 0;
    public static uint EffectiveUid => Libc.geteuid();
    public static uint EffectiveGid => Libc.getegid();

    /// <summary>Switches every id of the calling process; groups first, since after setuid we may no longer be allowed to.</summary>
    public static void Become(uint uid, uint gid, IReadOnlyList<uint> additionalGids)
    {
        SyscallException.Check(Libc.setgroups((nuint)additionalGids.Count, [.. additionalGids]), "setgroups");
        SyscallException.Check(Libc.setresgid(gid, gid, gid), $"setgid {gid}");
        SyscallException.Check(Libc.setresuid(uid, uid, uid), $"setuid {uid}");
    }
}
