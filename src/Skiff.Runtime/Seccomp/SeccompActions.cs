using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Seccomp;

/// <summary>The OCI spec's action and flag names as the values the kernel's seccomp takes.</summary>
internal static class SeccompActions
{
    public const uint KillProcess = 0x80000000, KillThread = 0, Trap = 0x00030000, Errno = 0x00050000,
        Trace = 0x7ff00000, Log = 0x7ffc0000, Allow = 0x7fff0000;
    public const uint EPERM = 1, ENOSYS = 38;

    /// <summary>The return value of a filter for <paramref name="action"/>; <paramref name="errnoRet"/> is the errno or the tracer's message.</summary>
    public static uint Value(string action, uint? errnoRet, string where)
    {
        if (errnoRet is not null && action is not ("SCMP_ACT_ERRNO" or "SCMP_ACT_TRACE"))
            throw new SeccompProfileException($"seccomp profile: {where} sets errnoRet with {action}: errnoRet goes only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
        if (errnoRet > 0xffff)
            throw new SeccompProfileException($"seccomp profile: {where} has errnoRet {errnoRet}: use an errno from 0 to 65535");
        return action switch
        {
            "SCMP_ACT_ALLOW" => Allow,
            "SCMP_ACT_ERRNO" => Errno | (errnoRet ?? EPERM),
            "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => KillThread,
            "SCMP_ACT_KILL_PROCESS" => KillProcess,
            "SCMP_ACT_TRAP" => Trap,
            "SCMP_ACT_TRACE" => Trace | (errnoRet ?? EPERM),
            "SCMP_ACT_LOG" => Log,
            "SCMP_ACT_NOTIFY" => throw new SeccompProfileException(
                $"seccomp profile: {where} uses SCMP_ACT_NOTIFY, which needs a seccomp agent; Skiff has none: use SCMP_ACT_ERRNO or SCMP_ACT_TRACE instead"),
            _ => throw new SeccompProfileException(
                $"seccomp profile: {where} has the unknown action \"{action}\": use SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_TRACE or SCMP_ACT_LOG"),
        };
    }

    /// <summary>seccomp(2)'s SECCOMP_FILTER_FLAG_* bits for the spec's flag names.</summary>
    public static uint Flags(SeccompSpec spec)
    {
        uint flags = 0;
        foreach (var flag in spec.Flags ?? [])
            flags |= flag switch
            {
                "SECCOMP_FILTER_FLAG_TSYNC" => 1u,
                "SECCOMP_FILTER_FLAG_LOG" => 2u,
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => 4u,
                "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" => throw new SeccompProfileException(
                    "seccomp profile: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV works only with a seccomp agent (SCMP_ACT_NOTIFY), which Skiff does not have: remove the flag"),
                _ => throw new SeccompProfileException(
                    $"seccomp profile: unknown flag \"{flag}\": use SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG or SECCOMP_FILTER_FLAG_SPEC_ALLOW"),
            };
        if (spec.ListenerPath is { Length: > 0 })
            throw new SeccompProfileException("seccomp profile: listenerPath names a seccomp agent, which Skiff does not support: remove it");
        return flags;
    }
}
