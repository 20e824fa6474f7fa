namespace Skiff.Runtime.Seccomp;

/// <summary>
/// The system-call ABIs an x86_64 kernel runs. x32 shares x86_64's audit architecture and sets a
/// bit in the syscall number instead, so a filter tells the two apart by that bit.
/// </summary>
internal enum SyscallAbi { X86_64, I386, X32 }

internal static class SyscallAbis
{
    public const uint AuditArchX86_64 = 0xC000003E;
    public const uint AuditArchI386 = 0x40000003;
    public const uint X32SyscallBit = 0x40000000;

    public static uint AuditArch(this SyscallAbi abi) => abi == SyscallAbi.I386 ? AuditArchI386 : AuditArchX86_64;

    /// <summary>i386's arguments are 32 bits wide: the upper halves carry nothing to compare.</summary>
    public static bool HasWideArguments(this SyscallAbi abi) => abi != SyscallAbi.I386;

    /// <summary>The OCI spec's (libseccomp's) architecture names; null for an architecture this kernel never runs.</summary>
    public static SyscallAbi? FromSpecName(string name) => name switch
    {
        "SCMP_ARCH_X86_64" => SyscallAbi.X86_64,
        "SCMP_ARCH_X86" => SyscallAbi.I386,
        "SCMP_ARCH_X32" => SyscallAbi.X32,
        _ => null,
    };

    public static bool IsKnownSpecName(string name) => FromSpecName(name) is not null || OtherArchitectures.Contains(name);

    /// <summary>libseccomp's other architectures: valid in a profile, but no process on this machine uses them.</summary>
    private static readonly HashSet<string> OtherArchitectures =
    [
        "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
        "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
        "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC",
        "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
    ];
}
