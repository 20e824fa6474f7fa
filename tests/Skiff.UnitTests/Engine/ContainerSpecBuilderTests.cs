using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Images;
using Skiff.Linux;
using Skiff.Runtime.Spec;

namespace Skiff.UnitTests.Engine;

public sealed class ContainerSpecBuilderTests
{
    private const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Bundle = "/var/lib/skiff/containers/0123456789ab";

    private static ImageConfigInfo Config(IReadOnlyList<string>? env = null, IReadOnlyList<string>? entrypoint = null,
        IReadOnlyList<string>? cmd = null, string? workdir = null, string? user = null) =>
        new(env ?? ["PATH=/usr/bin:/bin"], entrypoint, cmd, workdir, user);

    private static LocalImage Image(ImageConfigInfo? config = null) => new(
        "nginx:latest",
        Digest.Parse("sha256:" + new string('c', 64)),
        Digest.Parse("sha256:" + new string('d', 64)),
        config ?? Config(cmd: ["sh"]),
        ["/snapshots/1", "/snapshots/2"]);

    private static RunRequest Request(Func<RunRequest, RunRequest>? change = null)
    {
        var r = new RunRequest { Image = "nginx" };
        return change is null ? r : change(r);
    }

    // ---- Arguments

    [Fact]
    public void Image_entrypoint_and_cmd_run_together()
    {
        var args = ContainerSpecBuilder.Arguments(Request(), Config(entrypoint: ["/docker-entrypoint.sh"], cmd: ["nginx", "-g", "daemon off;"]));

        Assert.Equal(["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"], args);
    }

    [Fact]
    public void User_command_replaces_the_image_cmd_but_keeps_the_entrypoint()
    {
        var args = ContainerSpecBuilder.Arguments(Request(r => r with { Command = ["ls", "-l"] }),
            Config(entrypoint: ["/entry"], cmd: ["nginx"]));

        Assert.Equal(["/entry", "ls", "-l"], args);
    }

    [Fact]
    public void Entrypoint_flag_discards_the_image_cmd()
    {
        var args = ContainerSpecBuilder.Arguments(Request(r => r with { Entrypoint = ["/bin/cat"] }),
            Config(entrypoint: ["/entry"], cmd: ["nginx"]));

        Assert.Equal(["/bin/cat"], args);
    }

    [Fact]
    public void Entrypoint_flag_with_a_command_runs_both()
    {
        var args = ContainerSpecBuilder.Arguments(Request(r => r with { Entrypoint = ["/bin/echo"], Command = ["hi"] }),
            Config(entrypoint: ["/entry"], cmd: ["nginx"]));

        Assert.Equal(["/bin/echo", "hi"], args);
    }

    [Fact]
    public void Empty_entrypoint_clears_both_entrypoint_and_cmd()
    {
        var args = ContainerSpecBuilder.Arguments(Request(r => r with { Entrypoint = [] }), Config(entrypoint: ["/entry"], cmd: ["nginx"]));

        Assert.Empty(args);
    }

    [Fact]
    public void Empty_entrypoint_with_a_command_runs_just_the_command()
    {
        var args = ContainerSpecBuilder.Arguments(Request(r => r with { Entrypoint = [], Command = ["sh", "-c", "id"] }),
            Config(entrypoint: ["/entry"], cmd: ["nginx"]));

        Assert.Equal(["sh", "-c", "id"], args);
    }

    // ---- Environment

    [Fact]
    public void Image_env_is_kept_and_hostname_is_set()
    {
        var env = ContainerSpecBuilder.Environment(Request(), Config(env: ["PATH=/opt/bin", "LANG=C.UTF-8"]), "web1");

        Assert.Equal(["HOSTNAME=web1", "PATH=/opt/bin", "LANG=C.UTF-8"], env);
    }

    [Fact]
    public void Default_path_is_added_only_when_the_image_has_none()
    {
        var env = ContainerSpecBuilder.Environment(Request(), Config(env: ["LANG=C"]), "h");

        Assert.Equal([DockerDefaults.Path, "HOSTNAME=h", "LANG=C"], env);
        Assert.Equal("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", DockerDefaults.Path);
    }

    [Fact]
    public void Dash_e_overrides_the_image_value_of_the_same_key_once()
    {
        var env = ContainerSpecBuilder.Environment(Request(r => r with { Env = ["LANG=de_DE", "EXTRA=1=2"] }),
            Config(env: ["PATH=/bin", "LANG=C"]), "h");

        Assert.Equal(["HOSTNAME=h", "PATH=/bin", "LANG=de_DE", "EXTRA=1=2"], env);
    }

    [Fact]
    public void Dash_e_can_override_path_and_hostname()
    {
        var env = ContainerSpecBuilder.Environment(Request(r => r with { Env = ["PATH=/mine", "HOSTNAME=other"] }), Config(env: []), "h");

        Assert.Equal(["PATH=/mine", "HOSTNAME=other"], env);
    }

    [Fact]
    public void Term_is_xterm_only_with_a_tty()
    {
        var withTty = ContainerSpecBuilder.Environment(Request(r => r with { Tty = true }), Config(env: ["PATH=/bin"]), "h");
        var without = ContainerSpecBuilder.Environment(Request(), Config(env: ["PATH=/bin"]), "h");

        Assert.Equal(["HOSTNAME=h", "PATH=/bin", "TERM=xterm"], withTty.Order());
        Assert.DoesNotContain(without, e => e.StartsWith("TERM=", StringComparison.Ordinal));
    }

    [Fact]
    public void Image_term_wins_over_the_tty_default()
    {
        var env = ContainerSpecBuilder.Environment(Request(r => r with { Tty = true }), Config(env: ["PATH=/bin", "TERM=vt100"]), "h");

        Assert.Equal(["TERM=vt100"], env.Where(e => e.StartsWith("TERM=", StringComparison.Ordinal)));
    }

    [Fact]
    public void Dash_e_term_wins_over_the_tty_default()
    {
        var env = ContainerSpecBuilder.Environment(Request(r => r with { Tty = true, Env = ["TERM=dumb"] }), Config(), "h");

        Assert.Equal(["TERM=dumb"], env.Where(e => e.StartsWith("TERM=", StringComparison.Ordinal)));
    }

    // ---- Capabilities

    [Fact]
    public void Default_container_gets_exactly_dockers_14_capabilities()
    {
        var caps = ContainerSpecBuilder.CapabilitySet(Request());

        string[] docker =
        [
            "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_MKNOD",
            "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
        ];
        Assert.Equal(docker, caps.Bounding.Order(StringComparer.Ordinal));
        Assert.Equal(docker, caps.Effective.Order(StringComparer.Ordinal));
        Assert.Equal(docker, caps.Permitted.Order(StringComparer.Ordinal));
        Assert.Empty(caps.Inheritable);
        Assert.Empty(caps.Ambient);
    }

    [Theory]
    [InlineData("NET_ADMIN")]
    [InlineData("net_admin")]
    [InlineData("CAP_NET_ADMIN")]
    [InlineData("cap_net_admin")]
    public void Cap_add_accepts_every_spelling_of_a_capability(string spelling)
    {
        var caps = ContainerSpecBuilder.CapabilitySet(Request(r => r with { CapAdd = [spelling] }));

        Assert.Equal(15, caps.Bounding.Count);
        Assert.Single(caps.Bounding, "CAP_NET_ADMIN");
    }

    [Fact]
    public void Cap_add_of_a_default_capability_does_not_duplicate_it()
    {
        var caps = ContainerSpecBuilder.CapabilitySet(Request(r => r with { CapAdd = ["CHOWN"] }));

        Assert.Equal(14, caps.Bounding.Count);
    }

    [Fact]
    public void Cap_drop_removes_one_capability()
    {
        var caps = ContainerSpecBuilder.CapabilitySet(Request(r => r with { CapDrop = ["net_raw"] }));

        Assert.Equal(13, caps.Bounding.Count);
        Assert.DoesNotContain("CAP_NET_RAW", caps.Bounding);
    }

    [Fact]
    public void Cap_drop_all_then_cap_add_keeps_only_the_added_capability()
    {
        var caps = ContainerSpecBuilder.CapabilitySet(Request(r => r with { CapDrop = ["ALL"], CapAdd = ["CHOWN"] }));

        Assert.Equal(["CAP_CHOWN"], caps.Bounding);
        Assert.Equal(["CAP_CHOWN"], caps.Effective);
        Assert.Equal(["CAP_CHOWN"], caps.Permitted);
    }

    [Fact]
    public void Cap_drop_all_alone_leaves_no_capabilities()
    {
        var caps = ContainerSpecBuilder.CapabilitySet(Request(r => r with { CapDrop = ["all"] }));

        Assert.Empty(caps.Bounding);
    }

    [Fact]
    public void Privileged_gets_every_capability()
    {
        var caps = ContainerSpecBuilder.CapabilitySet(Request(r => r with { Privileged = true }));

        Assert.Equal(Capabilities.Names, caps.Bounding);
        Assert.Equal(41, caps.Bounding.Count);
        Assert.Contains("CAP_SYS_ADMIN", caps.Effective);
    }

    [Fact]
    public void Cap_add_all_gets_every_capability()
    {
        var caps = ContainerSpecBuilder.CapabilitySet(Request(r => r with { CapAdd = ["ALL"] }));

        Assert.Equal(Capabilities.Names, caps.Bounding);
    }

    [Fact]
    public void Unknown_capability_to_add_is_rejected_by_name()
    {
        var e = Assert.Throws<InvalidInputException>(() => ContainerSpecBuilder.CapabilitySet(Request(r => r with { CapAdd = ["FLY"] })));

        Assert.Equal("unknown capability to add: \"FLY\"", e.Message);
    }

    [Fact]
    public void Unknown_capability_to_drop_is_rejected_by_name()
    {
        var e = Assert.Throws<InvalidInputException>(() => ContainerSpecBuilder.CapabilitySet(Request(r => r with { CapDrop = ["CAP_NOPE"] })));

        Assert.Equal("unknown capability to drop: \"CAP_NOPE\"", e.Message);
    }

    // ---- Resources

    [Fact]
    public void No_limits_give_no_resources_section()
    {
        Assert.Null(ContainerSpecBuilder.Resources(new ResourceLimits()));
    }

    [Fact]
    public void Half_a_cpu_is_a_50ms_quota_per_100ms_period()
    {
        var cpu = ContainerSpecBuilder.Resources(new ResourceLimits { Cpus = 0.5m })!.Cpu!;

        Assert.Equal((50_000L, 100_000UL), (cpu.Quota, cpu.Period));
        Assert.Null(cpu.Shares);
    }

    [Fact]
    public void One_and_a_half_cpus_is_a_150ms_quota()
    {
        Assert.Equal(150_000L, ContainerSpecBuilder.Resources(new ResourceLimits { Cpus = 1.5m })!.Cpu!.Quota);
    }

    [Fact]
    public void Cpu_shares_alone_set_no_quota()
    {
        var cpu = ContainerSpecBuilder.Resources(new ResourceLimits { CpuShares = 512, CpusetCpus = "0-1" })!.Cpu!;

        Assert.Equal((512UL, "0-1"), (cpu.Shares, cpu.Cpus));
        Assert.Null(cpu.Quota);
        Assert.Null(cpu.Period);
    }

    [Fact]
    public void Memory_without_swap_gets_as_much_swap_again()
    {
        var memory = ContainerSpecBuilder.Resources(new ResourceLimits { MemoryBytes = 64L << 20 })!.Memory!;

        Assert.Equal((64L << 20, 128L << 20), (memory.Limit, memory.Swap));
    }

    [Fact]
    public void Memory_swap_minus_one_is_unlimited_swap()
    {
        var memory = ContainerSpecBuilder.Resources(new ResourceLimits { MemoryBytes = 64L << 20, MemorySwapBytes = -1 })!.Memory!;

        Assert.Equal((64L << 20, -1L), (memory.Limit, memory.Swap));
    }

    [Fact]
    public void Explicit_memory_swap_is_passed_through()
    {
        var memory = ContainerSpecBuilder.Resources(new ResourceLimits { MemoryBytes = 64L << 20, MemorySwapBytes = 100L << 20 })!.Memory!;

        Assert.Equal(100L << 20, memory.Swap);
    }

    [Fact]
    public void Pids_limit_is_passed_through_alone()
    {
        var r = ContainerSpecBuilder.Resources(new ResourceLimits { PidsLimit = 100 })!;

        Assert.Equal(100, r.Pids!.Limit);
        Assert.Null(r.Memory);
        Assert.Null(r.Cpu);
    }

    // ---- Build

    private static RuntimeSpec Build(Func<RunRequest, RunRequest>? change = null) =>
        ContainerSpecBuilder.Build(Request(change), Image(), Id, Bundle, "0123456789ab");

    [Fact]
    public void Network_none_gets_its_own_network_namespace()
    {
        Assert.Equal(["pid", "ipc", "uts", "mount", "cgroup", "network"], Build().Linux.Namespaces.Select(n => n.Type));
        Assert.All(Build().Linux.Namespaces, n => Assert.Null(n.Path));
    }

    [Fact]
    public void Network_host_shares_the_hosts_network_namespace()
    {
        Assert.Equal(["pid", "ipc", "uts", "mount", "cgroup"], Build(r => r with { Network = NetworkMode.Host }).Linux.Namespaces.Select(n => n.Type));
    }

    [Fact]
    public void Default_container_masks_and_protects_dockers_proc_and_sys_paths()
    {
        var linux = Build().Linux;

        Assert.Equal(DockerDefaults.MaskedPaths, linux.MaskedPaths!);
        Assert.Contains("/proc/kcore", linux.MaskedPaths!);
        Assert.Equal(["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"], linux.ReadonlyPaths!);
    }

    [Fact]
    public void Privileged_container_has_no_masked_or_read_only_paths()
    {
        var linux = Build(r => r with { Privileged = true }).Linux;

        Assert.Null(linux.MaskedPaths);
        Assert.Null(linux.ReadonlyPaths);
    }

    [Fact]
    public void Sys_is_mounted_read_only_unless_privileged()
    {
        Assert.Contains("ro", Build().Mounts.Single(m => m.Destination == "/sys").Options!);
        Assert.DoesNotContain("rw", Build().Mounts.Single(m => m.Destination == "/sys").Options!);
        var privileged = Build(r => r with { Privileged = true }).Mounts.Single(m => m.Destination == "/sys").Options!;
        Assert.Contains("rw", privileged);
        Assert.DoesNotContain("ro", privileged);
    }

    [Fact]
    public void Cgroups_path_is_skiff_slash_id_by_default_and_under_the_cgroup_parent_otherwise()
    {
        Assert.Equal("skiff/" + Id, Build().Linux.CgroupsPath);
        Assert.Equal("ci/jobs/" + Id, Build(r => r with { CgroupParent = "ci/jobs" }).Linux.CgroupsPath);
    }

    [Fact]
    public void Mounts_are_dockers_defaults_then_the_three_etc_files_from_the_bundle()
    {
        var mounts = Build().Mounts;

        Assert.Equal(["/proc", "/dev", "/dev/pts", "/sys", "/dev/mqueue", "/dev/shm", "/etc/resolv.conf", "/etc/hostname", "/etc/hosts"],
            mounts.Select(m => m.Destination));
        var hosts = mounts[^1];
        Assert.Equal(("bind", Bundle + "/hosts"), (hosts.Type, hosts.Source));
        Assert.Equal(["rbind", "rprivate"], hosts.Options!);
    }

    [Fact]
    public void Overlay_uses_the_image_layers_bottom_first_and_upper_and_work_in_the_bundle()
    {
        var overlay = Build().Linux.Overlay!;

        Assert.Equal(["/snapshots/1", "/snapshots/2"], overlay.LowerDirs);
        Assert.Equal((Bundle + "/upper", Bundle + "/work"), (overlay.UpperDir, overlay.WorkDir));
    }

    [Fact]
    public void Process_takes_workdir_user_and_tty_from_the_request_before_the_image()
    {
        var image = Image(Config(cmd: ["sh"], workdir: "/app", user: "www-data"));
        var fromImage = ContainerSpecBuilder.Build(Request(), image, Id, Bundle, "h").Process;
        var fromRequest = ContainerSpecBuilder.Build(Request(r => r with { WorkingDir = "/tmp", User = "1000:1000", Tty = true, NoNewPrivileges = true }),
            image, Id, Bundle, "h").Process;

        Assert.Equal(("/app", "www-data", false, false), (fromImage.Cwd, fromImage.User.Username, fromImage.Terminal, fromImage.NoNewPrivileges));
        Assert.Equal(("/tmp", "1000:1000", true, true), (fromRequest.Cwd, fromRequest.User.Username, fromRequest.Terminal, fromRequest.NoNewPrivileges));
    }

    [Fact]
    public void Image_without_workdir_or_user_runs_as_default_user_in_slash()
    {
        var process = ContainerSpecBuilder.Build(Request(), Image(Config(cmd: ["sh"], workdir: "", user: "")), Id, Bundle, "h").Process;

        Assert.Equal("/", process.Cwd);
        Assert.Null(process.User.Username);
    }

    [Fact]
    public void Root_is_the_bundle_rootfs_and_read_only_on_request()
    {
        Assert.Equal(("rootfs", false), (Build().Root.Path, Build().Root.Readonly));
        Assert.True(Build(r => r with { ReadOnlyRootfs = true }).Root.Readonly);
        Assert.Equal("0123456789ab", Build().Hostname);
    }
}
