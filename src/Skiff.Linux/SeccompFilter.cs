using System.Runtime.InteropServices;

namespace Skiff.Linux;

/// <summary>One classic BPF instruction as the kernel reads it (struct sock_filter).</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct SockFilter(ushort Code, byte JumpTrue, byte JumpFalse, uint K);

/// <summary>Installs a seccomp filter on the calling thread, which passes it on to the program it execs.</summary>
public static class SeccompFilter
{
    private const long SysSeccomp = 317; // x86_64; glibc 2.36 has no wrapper
    private const nint SetModeFilter = 1;

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct SockFprog
    {
        public ushort Length;
        public SockFilter* Filter;
    }

    /// <summary>
    /// The kernel accepts this only from a thread with no_new_privs set or CAP_SYS_ADMIN in its user
    /// namespace; the filter cannot be removed afterwards, by this thread or by anything it execs.
    /// </summary>
    public static unsafe void Load(ReadOnlySpan<SockFilter> program, uint flags)
    {
        fixed (SockFilter* instructions = program)
        {
            var fprog = new SockFprog { Length = checked((ushort)program.Length), Filter = instructions };
            SyscallException.Check(Libc.syscall(SysSeccomp, SetModeFilter, (nint)flags, (nint)(&fprog)),
                "seccomp(SECCOMP_SET_MODE_FILTER)");
        }
    }
}
