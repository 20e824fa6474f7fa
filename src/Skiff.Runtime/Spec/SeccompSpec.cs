namespace Skiff.Runtime.Spec;

// The OCI runtime spec's linux.seccomp, field for field: the compiler takes this shape, whether it
// came from a bundle's config.json or from the engine's resolution of a Docker profile.

public sealed record SeccompSpec
{
    public string DefaultAction { get; init; } = "SCMP_ACT_ALLOW";
    public uint? DefaultErrnoRet { get; init; }
    public List<string>? Architectures { get; init; }
    public List<string>? Flags { get; init; }
    public string? ListenerPath { get; init; }
    public List<SyscallRuleSpec>? Syscalls { get; init; }
}

public sealed record SyscallRuleSpec
{
    public List<string> Names { get; init; } = [];
    public string Action { get; init; } = "";
    public uint? ErrnoRet { get; init; }
    public List<SyscallArgSpec>? Args { get; init; }
}

/// <summary>One comparison of a syscall argument; for SCMP_CMP_MASKED_EQ, <see cref="Value"/> is the mask and <see cref="ValueTwo"/> the expected result.</summary>
public sealed record SyscallArgSpec
{
    public uint Index { get; init; }
    public ulong Value { get; init; }
    public ulong ValueTwo { get; init; }
    public string Op { get; init; } = "";
}
