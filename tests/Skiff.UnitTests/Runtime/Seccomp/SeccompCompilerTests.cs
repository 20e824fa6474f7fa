using Skiff.Runtime.Seccomp;
using Skiff.Runtime.Spec;

namespace Skiff.UnitTests.Runtime.Seccomp;

public sealed class SeccompCompilerTests
{
    private const uint X86_64 = 0xC000003E, I386 = 0x40000003, Aarch64 = 0xC00000B7, X32Bit = 0x40000000;
    private const uint Allow = 0x7fff0000, KillProcess = 0x80000000, KillThread = 0, Trap = 0x00030000, Log = 0x7ffc0000;
    private static uint Errno(uint e) => 0x00050000 | e;
    private static uint Trace(uint m) => 0x7ff00000 | m;

    private static readonly SyscallTable Table = SyscallTable.X86;
    private static uint Nr(string name, SyscallAbi abi = SyscallAbi.X86_64) => Table.Number(name, abi)!.Value;

    private static uint Run(SeccompSpec spec, string syscall, params ulong[] args) =>
        Run(SeccompCompiler.Compile(spec), new SyscallData(Nr(syscall), X86_64, args));

    private static uint Run(SeccompProgram program, SyscallData data)
    {
        BpfInterpreter.CheckJumps(program.Instructions);
        return BpfInterpreter.Run(program.Instructions, data);
    }

    private static SeccompSpec Profile(string defaultAction, params SyscallRuleSpec[] rules) =>
        new() { DefaultAction = defaultAction, Syscalls = [.. rules] };

    private static SyscallRuleSpec Rule(string action, string names, params SyscallArgSpec[] args) =>
        new() { Names = [.. names.Split(' ')], Action = action, Args = args.Length > 0 ? [.. args] : null };

    private static SyscallArgSpec Arg(uint index, string op, ulong value, ulong valueTwo = 0) =>
        new() { Index = index, Op = "SCMP_CMP_" + op, Value = value, ValueTwo = valueTwo };

    [Fact]
    public void Errno_rule_on_mkdir_leaves_every_other_syscall_to_the_default()
    {
        var spec = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir mkdirat"));
        Assert.Equal(Errno(1), Run(spec, "mkdir"));
        Assert.Equal(Errno(1), Run(spec, "mkdirat"));
        Assert.Equal(Allow, Run(spec, "rmdir"));
        Assert.Equal(Allow, Run(spec, "getpid"));
    }

    [Fact]
    public void Each_action_returns_its_kernel_value_with_its_errno_or_message()
    {
        var spec = new SeccompSpec
        {
            DefaultAction = "SCMP_ACT_ERRNO", DefaultErrnoRet = 13,
            Syscalls =
            [
                Rule("SCMP_ACT_ALLOW", "getpid"),
                new SyscallRuleSpec { Names = ["mkdir"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 28 },
                Rule("SCMP_ACT_KILL", "kill"),
                Rule("SCMP_ACT_KILL_THREAD", "tkill"),
                Rule("SCMP_ACT_KILL_PROCESS", "tgkill"),
                Rule("SCMP_ACT_TRAP", "ptrace"),
                new SyscallRuleSpec { Names = ["chroot"], Action = "SCMP_ACT_TRACE", ErrnoRet = 7 },
                Rule("SCMP_ACT_LOG", "uname"),
            ],
        };
        Assert.Equal(Allow, Run(spec, "getpid"));
        Assert.Equal(Errno(28), Run(spec, "mkdir"));
        Assert.Equal(KillThread, Run(spec, "kill"));
        Assert.Equal(KillThread, Run(spec, "tkill"));
        Assert.Equal(KillProcess, Run(spec, "tgkill"));
        Assert.Equal(Trap, Run(spec, "ptrace"));
        Assert.Equal(Trace(7), Run(spec, "chroot"));
        Assert.Equal(Log, Run(spec, "uname"));
        Assert.Equal(Errno(13), Run(spec, "rmdir"));
    }

    public static readonly ulong[] Edges =
    [
        0, 1, 2, 0x7f, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x100000000, 0x100000001, 0x1ffffffff,
        0x7fffffff00000000, 0x8000000000000000, 0xfffffffe00000000, 0xffffffff00000000, 0xffffffff00000001,
        0xfffffffffffffffe, 0xffffffffffffffff, 0x123456789abcdef0,
    ];

    public static TheoryData<string> Operators => new() { "EQ", "NE", "LT", "LE", "GT", "GE" };

    /// <summary>Every operator against values whose halves differ in every way, on the argument the rule names only.</summary>
    [Theory]
    [MemberData(nameof(Operators))]
    public void Comparisons_hold_for_full_64_bit_values(string op)
    {
        foreach (var value in Edges)
        {
            var program = SeccompCompiler.Compile(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "ioctl", Arg(2, op, value))));
            foreach (var arg in Edges)
            {
                var holds = op switch
                {
                    "EQ" => arg == value, "NE" => arg != value, "LT" => arg < value,
                    "LE" => arg <= value, "GT" => arg > value, _ => arg >= value,
                };
                // The other arguments carry the value itself, so a filter reading the wrong one is caught.
                var result = Run(program, new SyscallData(Nr("ioctl"), X86_64, value, ~value, arg, value, value, value));
                Assert.True((holds ? Errno(1) : Allow) == result, $"{arg:x} {op} {value:x} should be {holds}");
            }
        }
    }

    [Fact]
    public void Masked_equality_compares_the_masked_argument_with_value_two()
    {
        foreach (var (mask, expected) in new (ulong, ulong)[] { (0x7E020000, 0), (0xff, 0x11), (0xffffffff00000000, 0x100000000), (0xf0000000f, 0x100000001) })
        {
            var program = SeccompCompiler.Compile(Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", "clone", Arg(0, "MASKED_EQ", mask, expected))));
            foreach (var arg in Edges.Concat(new ulong[] { 0x11, 0x10000011, 0x10000000, 0x100000001, 0x500000001 }))
                Assert.True(((arg & mask) == expected ? Allow : Errno(1)) == Run(program, new SyscallData(Nr("clone"), X86_64, arg)),
                    $"({arg:x} & {mask:x}) == {expected:x}");
        }
    }

    [Fact]
    public void Conditions_on_different_arguments_must_all_hold()
    {
        var spec = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "socket", Arg(0, "EQ", 2), Arg(1, "EQ", 3)));
        Assert.Equal(Errno(1), Run(spec, "socket", 2, 3));
        Assert.Equal(Allow, Run(spec, "socket", 2, 1));
        Assert.Equal(Allow, Run(spec, "socket", 10, 3));
    }

    [Fact]
    public void Conditions_on_one_argument_are_alternatives_as_in_runc()
    {
        var spec = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "personality", Arg(0, "EQ", 8), Arg(0, "EQ", 0x20000)));
        Assert.Equal(Errno(1), Run(spec, "personality", 8));
        Assert.Equal(Errno(1), Run(spec, "personality", 0x20000));
        Assert.Equal(Allow, Run(spec, "personality", 0));
    }

    [Fact]
    public void The_first_rule_that_matches_decides_and_the_default_takes_the_rest()
    {
        var spec = Profile("SCMP_ACT_ERRNO",
            Rule("SCMP_ACT_KILL_PROCESS", "write", Arg(0, "GT", 100)),
            Rule("SCMP_ACT_LOG", "write", Arg(0, "EQ", 2)),
            Rule("SCMP_ACT_ALLOW", "write", Arg(0, "LE", 2)));
        Assert.Equal(KillProcess, Run(spec, "write", 101));
        Assert.Equal(Log, Run(spec, "write", 2));
        Assert.Equal(Allow, Run(spec, "write", 1));
        Assert.Equal(Errno(1), Run(spec, "write", 50));
    }

    [Fact]
    public void A_rule_without_conditions_ends_the_syscalls_rules()
    {
        var spec = Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", "read"), Rule("SCMP_ACT_KILL_PROCESS", "read", Arg(0, "EQ", 0)));
        Assert.Equal(Allow, Run(spec, "read", 0));
    }

    [Fact]
    public void Other_architectures_are_killed_and_named_ones_use_their_own_numbers()
    {
        var spec = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "getpid")) with { Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"] };
        var program = SeccompCompiler.Compile(spec);
        Assert.Equal(Errno(1), Run(program, new SyscallData(39, X86_64)));
        Assert.Equal(Errno(1), Run(program, new SyscallData(20, I386)));              // i386's getpid
        Assert.Equal(Allow, Run(program, new SyscallData(39, I386)));                 // i386's 39 is mkdir
        Assert.Equal(Errno(1), Run(program, new SyscallData(39 | X32Bit, X86_64)));
        Assert.Equal(KillProcess, Run(program, new SyscallData(39, Aarch64)));

        var only64 = SeccompCompiler.Compile(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "getpid")));
        Assert.Equal(KillProcess, Run(only64, new SyscallData(20, I386)));
        Assert.Equal(KillProcess, Run(only64, new SyscallData(39 | X32Bit, X86_64)));
        Assert.Equal(Errno(1), Run(only64, new SyscallData(39, X86_64)));
    }

    [Fact]
    public void I386_compares_only_the_low_half_of_its_32_bit_arguments()
    {
        var spec = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "personality", Arg(0, "EQ", 0xffffffff))) with { Architectures = ["SCMP_ARCH_X86"] };
        var program = SeccompCompiler.Compile(spec);
        Assert.Equal(Errno(1), Run(program, new SyscallData(Nr("personality", SyscallAbi.I386), I386, 0xffffffff)));
        Assert.Equal(Allow, Run(program, new SyscallData(Nr("personality", SyscallAbi.I386), I386, 0xfffffffe)));
    }

    [Fact]
    public void Syscalls_newer_than_the_table_get_ENOSYS_under_a_deny_default()
    {
        var deny = SeccompCompiler.Compile(Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", "getpid")));
        Assert.Equal(Errno(38), Run(deny, new SyscallData(Table.Highest(SyscallAbi.X86_64) + 1, X86_64)));
        Assert.Equal(Errno(1), Run(deny, new SyscallData(Nr("keyctl"), X86_64)));
        var allow = SeccompCompiler.Compile(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "getpid")));
        Assert.Equal(Allow, Run(allow, new SyscallData(Table.Highest(SyscallAbi.X86_64) + 1, X86_64)));
    }

    [Fact]
    public void Hundreds_of_syscalls_with_conditions_reach_past_the_8_bit_jumps()
    {
        // Every syscall the table has, each with a condition of its own: the program is thousands
        // of instructions long, and jumps from the search to the rules need trampolines.
        var names = Enumerable.Range(0, 400).Select(n => (uint)n)
            .Select(n => (Number: n, Name: NameOf(n))).Where(x => x.Name is not null).ToList();
        var spec = Profile("SCMP_ACT_ERRNO", [.. names.Select(x => Rule("SCMP_ACT_ALLOW", x.Name!, Arg(x.Number % 6, "EQ", x.Number)))]);
        var program = SeccompCompiler.Compile(spec);
        Assert.True(program.Instructions.Length > 1000, $"{program.Instructions.Length} instructions");
        foreach (var (number, _) in names)
        {
            var args = new ulong[6];
            args[number % 6] = number;
            Assert.Equal(Allow, Run(program, new SyscallData(number, X86_64, args)));
            args[number % 6] = number + 1;
            Assert.Equal(Errno(1), Run(program, new SyscallData(number, X86_64, args)));
        }
    }

    private static string? NameOf(uint number) =>
        Table.Names.FirstOrDefault(n => Table.Number(n, SyscallAbi.X86_64) == number);

    [Fact]
    public void Flags_become_seccomps_filter_flags()
    {
        var spec = Profile("SCMP_ACT_ALLOW") with { Flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"] };
        Assert.Equal(7u, SeccompCompiler.Compile(spec).Flags);
    }

    [Theory]
    [InlineData("SCMP_ACT_NOTIFY", null, "SCMP_ACT_NOTIFY, which needs a seccomp agent")]
    [InlineData("SCMP_ACT_JUMP", null, "unknown action \"SCMP_ACT_JUMP\"")]
    [InlineData("SCMP_ACT_ALLOW", 5u, "errnoRet goes only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE")]
    [InlineData("SCMP_ACT_ERRNO", 70000u, "use an errno from 0 to 65535")]
    public void Actions_the_kernel_cannot_take_are_refused_by_name(string action, uint? errnoRet, string message)
    {
        var spec = Profile("SCMP_ACT_ALLOW", new SyscallRuleSpec { Names = ["mkdir"], Action = action, ErrnoRet = errnoRet });
        var e = Assert.Throws<SeccompProfileException>(() => SeccompCompiler.Compile(spec));
        Assert.Contains(message, e.Message);
        Assert.Contains("syscalls[0] (mkdir)", e.Message);
    }

    [Fact]
    public void Bad_operators_indexes_architectures_and_flags_are_refused()
    {
        Assert.Contains("unknown operator \"SCMP_CMP_ABOUT\"", Assert.Throws<SeccompProfileException>(() =>
            SeccompCompiler.Compile(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir", Arg(0, "ABOUT", 1))))).Message);
        Assert.Contains("arguments 0 to 5", Assert.Throws<SeccompProfileException>(() =>
            SeccompCompiler.Compile(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir", Arg(6, "EQ", 1))))).Message);
        Assert.Contains("unknown architecture \"SCMP_ARCH_Z80\"", Assert.Throws<SeccompProfileException>(() =>
            SeccompCompiler.Compile(Profile("SCMP_ACT_ALLOW") with { Architectures = ["SCMP_ARCH_Z80"] })).Message);
        Assert.Contains("none that this machine runs", Assert.Throws<SeccompProfileException>(() =>
            SeccompCompiler.Compile(Profile("SCMP_ACT_ALLOW") with { Architectures = ["SCMP_ARCH_AARCH64"] })).Message);
        Assert.Contains("unknown flag", Assert.Throws<SeccompProfileException>(() =>
            SeccompCompiler.Compile(Profile("SCMP_ACT_ALLOW") with { Flags = ["SECCOMP_FILTER_FLAG_FAST"] })).Message);
        Assert.Contains("listenerPath", Assert.Throws<SeccompProfileException>(() =>
            SeccompCompiler.Compile(Profile("SCMP_ACT_ALLOW") with { ListenerPath = "/run/agent.sock" })).Message);
    }
}
