using Skiff.Linux;
using Skiff.Runtime.Seccomp;
using Skiff.Runtime.Spec;

namespace Skiff.UnitTests.Runtime.Seccomp;

public sealed class DockerSeccompProfileTests
{
    private const uint X86_64 = 0xC000003E, I386 = 0x40000003, X32Bit = 0x40000000;
    private const uint Allow = 0x7fff0000, Eperm = 0x00050001, Enosys = 0x00050026;
    private const ulong CloneNewUser = 0x10000000, CloneNewNs = 0x00020000;
    private static readonly Version Kernel = new(6, 1);

    private static readonly SyscallTable Table = SyscallTable.X86;

    private static SeccompProgram Default(IReadOnlyCollection<string>? caps = null, Version? kernel = null) =>
        SeccompCompiler.Compile(DockerSeccompProfile.Default.Resolve(caps ?? Capabilities.DockerDefault, kernel ?? Kernel));

    private static uint Call(SeccompProgram p, string name, params ulong[] args) =>
        BpfInterpreter.Run(p.Instructions, new SyscallData(Table.Number(name, SyscallAbi.X86_64)!.Value, X86_64, args));

    [Theory]
    [InlineData("keyctl")]
    [InlineData("add_key")]
    [InlineData("request_key")]
    [InlineData("unshare")]
    [InlineData("mount")]
    [InlineData("setns")]
    [InlineData("reboot")]
    [InlineData("init_module")]
    [InlineData("open_by_handle_at")]
    [InlineData("bpf")]
    public void Default_profile_refuses_with_EPERM_what_docker_refuses(string syscall) =>
        Assert.Equal(Eperm, Call(Default(), syscall));

    [Theory]
    [InlineData("getpid")]
    [InlineData("read")]
    [InlineData("execve")]
    [InlineData("chroot")]     // CAP_SYS_CHROOT is in Docker's default set
    [InlineData("ptrace")]     // allowed from kernel 4.8 on
    [InlineData("arch_prctl")]
    [InlineData("io_uring_setup")]
    public void Default_profile_allows_what_docker_allows(string syscall) =>
        Assert.Equal(Allow, Call(Default(), syscall));

    [Fact]
    public void Clone_may_not_create_namespaces_without_CAP_SYS_ADMIN_and_clone3_says_ENOSYS()
    {
        var p = Default();
        Assert.Equal(Allow, Call(p, "clone", 0x01200011)); // fork's flags: CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD
        Assert.Equal(Allow, Call(p, "clone", 0x003d0f00)); // pthread_create's
        Assert.Equal(Eperm, Call(p, "clone", CloneNewUser | 17));
        Assert.Equal(Eperm, Call(p, "clone", CloneNewNs | 17));
        Assert.Equal(Enosys, Call(p, "clone3"));
    }

    [Fact]
    public void CAP_SYS_ADMIN_brings_mount_unshare_and_every_clone()
    {
        var p = Default([.. Capabilities.DockerDefault, "CAP_SYS_ADMIN"]);
        Assert.Equal(Allow, Call(p, "unshare", CloneNewUser));
        Assert.Equal(Allow, Call(p, "mount"));
        Assert.Equal(Allow, Call(p, "clone", CloneNewUser | 17));
        Assert.Equal(Allow, Call(p, "clone3"));
        Assert.Equal(Eperm, Call(p, "keyctl"));
    }

    [Fact]
    public void Capability_rules_follow_the_bounding_set()
    {
        Assert.Equal(Eperm, Call(Default(["CAP_CHOWN"]), "chroot"));
        Assert.Equal(Allow, Call(Default([.. Capabilities.DockerDefault, "CAP_SYS_TIME"]), "settimeofday"));
        Assert.Equal(Eperm, Call(Default(), "settimeofday"));
    }

    [Fact]
    public void Rules_for_a_newer_kernel_are_left_out_on_an_older_one()
    {
        Assert.Equal(Eperm, Call(Default(kernel: new Version(4, 4)), "ptrace"));
        Assert.Equal(Allow, Call(Default(kernel: new Version(4, 8)), "ptrace"));
    }

    [Fact]
    public void Socket_refuses_only_AF_VSOCK_and_personality_only_the_listed_values()
    {
        var p = Default();
        Assert.Equal(Allow, Call(p, "socket", 2));
        Assert.Equal(Eperm, Call(p, "socket", 40));
        Assert.Equal(Allow, Call(p, "personality", 0xffffffff));
        Assert.Equal(Eperm, Call(p, "personality", 0x0040000)); // ADDR_NO_RANDOMIZE
    }

    [Fact]
    public void The_arch_map_covers_32_bit_and_x32_programs_with_their_own_numbers()
    {
        var spec = DockerSeccompProfile.Default.Resolve(Capabilities.DockerDefault, Kernel);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], spec.Architectures!);
        var p = SeccompCompiler.Compile(spec);
        Assert.Equal(Allow, BpfInterpreter.Run(p.Instructions, new SyscallData(102, I386)));          // socketcall
        Assert.Equal(Eperm, BpfInterpreter.Run(p.Instructions, new SyscallData(288, I386)));          // keyctl
        Assert.Equal(Allow, BpfInterpreter.Run(p.Instructions, new SyscallData(512 | X32Bit, X86_64))); // x32 rt_sigaction
        Assert.Equal(Eperm, BpfInterpreter.Run(p.Instructions, new SyscallData(250 | X32Bit, X86_64))); // x32 keyctl
    }

    /// <summary>
    /// Every syscall of every ABI, through the compiled filter and through a plain reading of the
    /// resolved profile (first rule in order whose conditions hold): the two must agree.
    /// </summary>
    [Fact]
    public void The_filter_agrees_with_the_profile_for_every_syscall_and_abi()
    {
        foreach (var caps in new[] { Capabilities.DockerDefault, Capabilities.Names })
        {
            var spec = DockerSeccompProfile.Default.Resolve(caps, Kernel);
            var program = SeccompCompiler.Compile(spec);
            BpfInterpreter.CheckJumps(program.Instructions);
            var checkedCalls = 0;
            foreach (var abi in Enum.GetValues<SyscallAbi>())
                foreach (var name in Table.Names)
                {
                    if (Table.Number(name, abi) is not { } number) continue;
                    foreach (var args in new[] { new ulong[6], [CloneNewUser | 17, 0, 0, 0, 0, 0], [40, 8, 0, 0, 0, 0], [0xffffffff, 0, 0, 0, 0, 0] })
                    {
                        var data = new SyscallData(number, abi == SyscallAbi.I386 ? I386 : X86_64, args);
                        Assert.True(Expected(spec, name, abi, args) == BpfInterpreter.Run(program.Instructions, data), $"{name} on {abi} with {args[0]:x}");
                        checkedCalls++;
                    }
                }
            Assert.True(checkedCalls > 4000, checkedCalls.ToString());
        }
    }

    private static uint Expected(SeccompSpec spec, string name, SyscallAbi abi, ulong[] args)
    {
        var number = Table.Number(name, abi);
        foreach (var rule in spec.Syscalls!)
        {
            if (!rule.Names.Any(n => Table.Number(n, abi) == number)) continue;
            var conditions = rule.Args ?? [];
            bool Holds(SyscallArgSpec c)
            {
                var v = abi == SyscallAbi.I386 ? args[c.Index] & 0xffffffff : args[c.Index];
                return c.Op switch
                {
                    "SCMP_CMP_EQ" => v == c.Value,
                    "SCMP_CMP_NE" => v != c.Value,
                    "SCMP_CMP_MASKED_EQ" => (v & c.Value) == c.ValueTwo,
                    _ => throw new InvalidOperationException(c.Op),
                };
            }
            var sameArgument = conditions.GroupBy(c => c.Index).Any(g => g.Count() > 1);
            if (sameArgument ? conditions.Any(Holds) : conditions.All(Holds))
                return rule.Action == "SCMP_ACT_ALLOW" ? Allow : 0x00050000 | (rule.ErrnoRet ?? 1);
        }
        return Eperm;
    }

    [Fact]
    public void An_oci_profile_without_docker_extras_passes_through()
    {
        var profile = DockerSeccompProfile.Parse("""
            {"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"flags":["SECCOMP_FILTER_FLAG_LOG"],
             "syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":13},{"name":"rmdir","action":"SCMP_ACT_ERRNO"}]}
            """);
        var spec = profile.Resolve(Capabilities.DockerDefault, Kernel);
        Assert.Equal(["SCMP_ARCH_X86_64"], spec.Architectures!);
        Assert.Equal(["mkdir"], spec.Syscalls![0].Names);
        Assert.Equal(["rmdir"], spec.Syscalls[1].Names);
        var p = SeccompCompiler.Compile(spec);
        Assert.Equal(2u, p.Flags);
        Assert.Equal(0x0005000du, Call(p, "mkdir"));
        Assert.Equal(Eperm, Call(p, "rmdir"));
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("{}", "no defaultAction")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}""", "both 'architectures' and 'archMap'")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ALLOW"}]}""", "both 'name' and 'names'")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"new"}}]}""", "\"new\" is no kernel version")]
    public void Broken_profiles_are_refused_with_the_reason(string json, string message) =>
        Assert.Contains(message, Assert.Throws<SeccompProfileException>(() => DockerSeccompProfile.Parse(json).Resolve(Capabilities.DockerDefault, Kernel)).Message);

    [Theory]
    [InlineData("6.1.0-18-amd64", 6, 1)]
    [InlineData("6.18.44-fc-v1300", 6, 18)]
    [InlineData("4.8", 4, 8)]
    public void Kernel_releases_read_as_major_and_minor(string release, int major, int minor) =>
        Assert.Equal(new Version(major, minor), DockerSeccompProfile.ParseKernel(release));
}
