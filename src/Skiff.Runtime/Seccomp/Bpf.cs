namespace Skiff.Runtime.Seccomp;

/// <summary>The classic BPF opcodes a seccomp filter uses, and the layout of the data it reads (struct seccomp_data).</summary>
internal static class Bpf
{
    public const ushort LoadWord = 0x20;          // BPF_LD | BPF_W | BPF_ABS
    public const ushort JumpAlways = 0x05;        // BPF_JMP | BPF_JA
    public const ushort JumpIfEqual = 0x15;       // BPF_JMP | BPF_JEQ | BPF_K
    public const ushort JumpIfGreater = 0x25;     // BPF_JMP | BPF_JGT | BPF_K
    public const ushort JumpIfGreaterEqual = 0x35; // BPF_JMP | BPF_JGE | BPF_K
    public const ushort AndConstant = 0x54;       // BPF_ALU | BPF_AND | BPF_K
    public const ushort Return = 0x06;            // BPF_RET | BPF_K

    public const uint NumberOffset = 0;
    public const uint ArchOffset = 4;

    /// <summary>args[i] is a little-endian u64 after nr, arch and the instruction pointer.</summary>
    public static uint ArgLowOffset(uint index) => 16 + 8 * index;
    public static uint ArgHighOffset(uint index) => 16 + 8 * index + 4;

    /// <summary>The longest forward reach of a conditional jump (its 8-bit offsets).</summary>
    public const int MaxConditionalJump = byte.MaxValue;

    /// <summary>The kernel's limit on a filter's length (BPF_MAXINSNS).</summary>
    public const int MaxInstructions = 4096;
}
