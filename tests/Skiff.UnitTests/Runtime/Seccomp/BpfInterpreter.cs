using Skiff.Linux;

namespace Skiff.UnitTests.Runtime.Seccomp;

/// <summary>What the kernel hands a seccomp filter for one syscall (struct seccomp_data).</summary>
public sealed record SyscallData(uint Number, uint Arch, params ulong[] Args);

/// <summary>
/// A classic BPF interpreter for seccomp programs, written from the kernel's rules rather than
/// from the compiler: it refuses what the kernel's checker refuses (a jump past the end, a load
/// outside seccomp_data or unaligned, an instruction seccomp does not allow, a path that never returns).
/// </summary>
public static class BpfInterpreter
{
    public static uint Run(SockFilter[] program, SyscallData data)
    {
        if (program.Length is 0 or > 4096) throw new InvalidOperationException($"program length {program.Length}");
        uint a = 0;
        var pc = 0;
        for (var steps = 0; steps <= program.Length; steps++)
        {
            if (pc >= program.Length) throw new InvalidOperationException($"ran off the end at {pc}");
            var i = program[pc];
            switch (i.Code)
            {
                case 0x20: a = Load(data, i.K); pc++; break;
                case 0x54: a &= i.K; pc++; break;
                case 0x05: pc += 1 + (int)i.K; break;
                case 0x15: pc += 1 + (a == i.K ? i.JumpTrue : i.JumpFalse); break;
                case 0x25: pc += 1 + (a > i.K ? i.JumpTrue : i.JumpFalse); break;
                case 0x35: pc += 1 + (a >= i.K ? i.JumpTrue : i.JumpFalse); break;
                case 0x45: pc += 1 + ((a & i.K) != 0 ? i.JumpTrue : i.JumpFalse); break;
                case 0x06: return i.K;
                default: throw new InvalidOperationException($"opcode 0x{i.Code:x} at {pc} is not one seccomp accepts here");
            }
        }
        throw new InvalidOperationException("no return reached");
    }

    private static uint Load(SyscallData data, uint offset)
    {
        if (offset % 4 != 0 || offset >= 64) throw new InvalidOperationException($"load at offset {offset}");
        return offset switch
        {
            0 => data.Number,
            4 => data.Arch,
            8 or 12 => 0, // instruction pointer
            _ => Half(data, (int)(offset - 16) / 8, (offset - 16) % 8 == 4),
        };
    }

    private static uint Half(SyscallData data, int index, bool high)
    {
        var value = index < data.Args.Length ? data.Args[index] : 0;
        return high ? (uint)(value >> 32) : (uint)value;
    }

    /// <summary>Every jump lands inside the program and every instruction is reachable only forwards (BPF has no backward jumps by construction).</summary>
    public static void CheckJumps(SockFilter[] program)
    {
        for (var pc = 0; pc < program.Length; pc++)
        {
            var i = program[pc];
            if (i.Code == 0x06) continue;
            var targets = i.Code switch
            {
                0x05 => [pc + 1 + (long)i.K],
                0x15 or 0x25 or 0x35 or 0x45 => new long[] { pc + 1 + i.JumpTrue, pc + 1 + i.JumpFalse },
                _ => [pc + 1],
            };
            foreach (var t in targets)
                if (t >= program.Length) throw new InvalidOperationException($"instruction {pc} jumps to {t}, past the end ({program.Length})");
        }
    }
}
