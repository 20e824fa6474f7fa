using Skiff.Linux;
using Skiff.Runtime.Spec;
using Label = Skiff.Runtime.Seccomp.BpfProgramBuilder.Label;

namespace Skiff.Runtime.Seccomp;

/// <summary>A compiled filter, ready for seccomp(SECCOMP_SET_MODE_FILTER).</summary>
public sealed record SeccompProgram(SockFilter[] Instructions, uint Flags);

/// <summary>
/// Compiles the OCI spec's linux.seccomp to classic BPF. The program checks the architecture
/// first (a syscall number means nothing without its ABI), then finds the syscall by a binary
/// search over the numbers that have rules, so a call costs a handful of comparisons rather than
/// one per listed syscall; each syscall's rules are tried in the profile's order, the first whose
/// argument conditions all hold decides, and the default action takes the rest.
/// </summary>
public static class SeccompCompiler
{
    /// <summary>Below this many syscalls a chain of equality tests is as short as a search tree.</summary>
    private const int LinearSearchBelow = 4;

    public static SeccompProgram Compile(SeccompSpec spec) => Compile(spec, SyscallTable.X86);

    internal static SeccompProgram Compile(SeccompSpec spec, SyscallTable table)
    {
        var flags = SeccompActions.Flags(spec);
        var defaultAction = SeccompActions.Value(spec.DefaultAction, spec.DefaultErrnoRet, "defaultAction");
        var abis = Architectures(spec);
        var rules = SyscallRules.From(spec);

        // Written from the end: every label exists before the jumps to it.
        var b = new BpfProgramBuilder();
        // A process of an ABI the profile does not name could reach syscalls through numbers it never meant.
        var badArch = b.Return(SeccompActions.KillProcess);
        var next = badArch;
        if (abis.Contains(SyscallAbi.I386))
        {
            Section(b, SyscallAbi.I386, table, rules, defaultAction);
            next = b.Branch(Bpf.JumpIfEqual, SyscallAbis.AuditArchI386, b.Load(Bpf.NumberOffset), next);
        }
        if (abis.Contains(SyscallAbi.X86_64) || abis.Contains(SyscallAbi.X32))
        {
            var x32 = abis.Contains(SyscallAbi.X32) ? Section(b, SyscallAbi.X32, table, rules, defaultAction) : badArch;
            var x64 = abis.Contains(SyscallAbi.X86_64) ? Section(b, SyscallAbi.X86_64, table, rules, defaultAction) : badArch;
            b.Branch(Bpf.JumpIfGreaterEqual, SyscallAbis.X32SyscallBit, x32, x64);
            next = b.Branch(Bpf.JumpIfEqual, SyscallAbis.AuditArchX86_64, b.Load(Bpf.NumberOffset), next);
        }
        b.Load(Bpf.ArchOffset);

        var program = b.ToProgram();
        if (program.Length > Bpf.MaxInstructions)
            throw new SeccompProfileException($"seccomp profile: its filter needs {program.Length} instructions, more than the kernel's {Bpf.MaxInstructions}: list fewer syscalls or argument rules");
        return new SeccompProgram(program, flags);
    }

    /// <summary>The ABIs to filter; none named means the machine's own, as runc does.</summary>
    private static HashSet<SyscallAbi> Architectures(SeccompSpec spec)
    {
        if (spec.Architectures is not { Count: > 0 } names) return [SyscallAbi.X86_64];
        var unknown = names.FirstOrDefault(n => !SyscallAbis.IsKnownSpecName(n));
        if (unknown is not null)
            throw new SeccompProfileException($"seccomp profile: unknown architecture \"{unknown}\": use the SCMP_ARCH_* names, such as SCMP_ARCH_X86_64");
        var abis = names.Select(SyscallAbis.FromSpecName).OfType<SyscallAbi>().ToHashSet();
        return abis.Count > 0 ? abis : throw new SeccompProfileException(
            "seccomp profile: architectures names none that this machine runs: add SCMP_ARCH_X86_64 (and SCMP_ARCH_X86, SCMP_ARCH_X32 for 32-bit programs)");
    }

    /// <summary>One ABI's part: the search for the syscall number (already in the accumulator) and each syscall's rules.</summary>
    private static Label Section(BpfProgramBuilder b, SyscallAbi abi, SyscallTable table, SyscallRules rules, uint defaultAction)
    {
        var otherwise = b.Return(defaultAction);
        var blocks = new SortedDictionary<uint, Label>();
        foreach (var (number, list) in rules.ByNumber(table, abi))
            if (!list.All(r => r.Conditions.Count == 0 && r.Action == defaultAction))
                blocks[number] = RuleBlock(b, list, otherwise, abi.HasWideArguments());
        var entries = blocks.ToArray();
        var search = Search(b, entries, 0, entries.Length, otherwise);
        // Syscalls newer than Skiff's table cannot be named by any profile; ENOSYS lets a C library
        // fall back to an older call, where a deny-by-default profile's EPERM would be taken as final.
        if (defaultAction is SeccompActions.Allow or SeccompActions.Log) return search;
        return b.Branch(Bpf.JumpIfGreater, table.Highest(abi), b.Return(SeccompActions.Errno | SeccompActions.ENOSYS), search);
    }

    private static Label Search(BpfProgramBuilder b, KeyValuePair<uint, Label>[] entries, int from, int to, Label otherwise)
    {
        if (to - from < LinearSearchBelow)
        {
            var next = otherwise;
            for (var i = to - 1; i >= from; i--)
                next = b.Branch(Bpf.JumpIfEqual, entries[i].Key, entries[i].Value, next);
            return next;
        }
        var middle = (from + to) / 2;
        var upper = Search(b, entries, middle, to, otherwise);
        var lower = Search(b, entries, from, middle, otherwise);
        return b.Branch(Bpf.JumpIfGreaterEqual, entries[middle].Key, upper, lower);
    }

    /// <summary>A syscall's rules in order: each one's conditions, all of which must hold for its action.</summary>
    private static Label RuleBlock(BpfProgramBuilder b, IReadOnlyList<SyscallRules.Rule> rules, Label otherwise, bool wide)
    {
        var next = otherwise;
        for (var i = rules.Count - 1; i >= 0; i--)
        {
            var match = b.Return(rules[i].Action);
            for (var j = rules[i].Conditions.Count - 1; j >= 0; j--)
                match = Condition(b, rules[i].Conditions[j], match, next, wide);
            next = match;
        }
        return next;
    }

    /// <summary>
    /// One argument comparison on a 64-bit value the filter reads in two 32-bit halves: the high
    /// half decides unless equal, then the low half. <paramref name="wide"/> false compares the low half only.
    /// </summary>
    private static Label Condition(BpfProgramBuilder b, SyscallArgSpec c, Label match, Label noMatch, bool wide) => c.Op switch
    {
        "SCMP_CMP_EQ" => Equal(b, c, match, noMatch, wide),
        "SCMP_CMP_NE" => Equal(b, c, noMatch, match, wide),
        "SCMP_CMP_GT" => Greater(b, Bpf.JumpIfGreater, c, match, noMatch, wide),
        "SCMP_CMP_GE" => Greater(b, Bpf.JumpIfGreaterEqual, c, match, noMatch, wide),
        "SCMP_CMP_LE" => Greater(b, Bpf.JumpIfGreater, c, noMatch, match, wide),
        "SCMP_CMP_LT" => Greater(b, Bpf.JumpIfGreaterEqual, c, noMatch, match, wide),
        "SCMP_CMP_MASKED_EQ" => MaskedEqual(b, c, match, noMatch, wide),
        _ => throw new InvalidOperationException($"unchecked seccomp operator {c.Op}"),
    };

    private static Label Equal(BpfProgramBuilder b, SyscallArgSpec c, Label equal, Label differ, bool wide)
    {
        b.Branch(Bpf.JumpIfEqual, Low(c.Value), equal, differ);
        var low = b.Load(Bpf.ArgLowOffset(c.Index));
        if (!wide) return low;
        b.Branch(Bpf.JumpIfEqual, High(c.Value), low, differ);
        return b.Load(Bpf.ArgHighOffset(c.Index));
    }

    /// <param name="code">JGT or JGE: what the low halves decide when the high halves are equal.</param>
    private static Label Greater(BpfProgramBuilder b, ushort code, SyscallArgSpec c, Label above, Label notAbove, bool wide)
    {
        b.Branch(code, Low(c.Value), above, notAbove);
        var low = b.Load(Bpf.ArgLowOffset(c.Index));
        if (!wide) return low;
        var highEqual = b.Branch(Bpf.JumpIfEqual, High(c.Value), low, notAbove);
        b.Branch(Bpf.JumpIfGreater, High(c.Value), above, highEqual);
        return b.Load(Bpf.ArgHighOffset(c.Index));
    }

    /// <summary>(arg &amp; value) == valueTwo.</summary>
    private static Label MaskedEqual(BpfProgramBuilder b, SyscallArgSpec c, Label match, Label noMatch, bool wide)
    {
        b.Branch(Bpf.JumpIfEqual, Low(c.ValueTwo), match, noMatch);
        b.And(Low(c.Value));
        var low = b.Load(Bpf.ArgLowOffset(c.Index));
        if (!wide) return low;
        b.Branch(Bpf.JumpIfEqual, High(c.ValueTwo), low, noMatch);
        b.And(High(c.Value));
        return b.Load(Bpf.ArgHighOffset(c.Index));
    }

    private static uint Low(ulong value) => (uint)value;
    private static uint High(ulong value) => (uint)(value >> 32);
}
