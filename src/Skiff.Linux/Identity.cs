namespace Skiff.Linux;

public static class Identity
{
    public static bool IsRoot => Libc.geteuid() == 0;
    public static uint EffectiveUid => Libc.geteuid();
    public static uint EffectiveGid => Libc.getegid();
}
