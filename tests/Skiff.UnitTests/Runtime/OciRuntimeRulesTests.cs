using Skiff.Linux;
using Skiff.Runtime.Cgroups;
using Skiff.Runtime.Oci;
using Skiff.Runtime.Spec;
using Skiff.Runtime.Start;

namespace Skiff.UnitTests.Runtime;

public sealed class OciRuntimeRulesTests
{
    [Fact]
    public void A_pid_is_told_apart_by_its_start_time_even_with_spaces_in_its_name()
    {
        var stat = ProcessStat.Parse("4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100");
        Assert.Equal(('S', 987654UL), (stat.State, stat.StartTime));
        Assert.False(ProcessStat.Parse("7 (sh) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0").IsRunning);
    }

    [Theory]
    [InlineData("/default/ctr1", false, "default", "ctr1")]
    [InlineData("machine.slice:libpod:abc", true, "machine.slice", "libpod-abc.scope")]
    [InlineData(":libpod:abc", true, "system.slice", "libpod-abc.scope")]
    [InlineData(null, false, "skiff", "ID")]
    public void Cgroup_paths_are_read_as_runc_reads_them(string? cgroupsPath, bool systemd, string parent, string name) =>
        Assert.Equal((parent, name), OciRuntime.CgroupPathOf(cgroupsPath, "ID", systemd));

    [Fact]
    public void Device_rules_deny_as_asked_and_keep_the_standard_devices_and_the_specs_own_usable()
    {
        var spec = new RuntimeSpec
        {
            Linux = new LinuxSpec
            {
                Resources = new LinuxResources { Devices = [new DeviceRule { Allow = false, Access = "rwm" }] },
                Devices = [new LinuxDevice { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229 }, new LinuxDevice { Path = "/dev/fifo", Type = "p", Major = 8, Minor = 666 }],
            },
        };
        var lines = DefaultDeviceRules.Apply(spec).Linux.Resources!.Devices!.Select(V1Limits.DeviceRuleLine).ToList();

        Assert.Equal("a *:* rwm", lines[0]);
        Assert.Contains("c 1:3 rwm", lines);
        Assert.Contains("c 136:* rwm", lines);
        Assert.Equal("c 10:229 rwm", lines[^1]); // and none for the fifo: the device cgroup refuses type "p"
    }

    [Fact]
    public void Init_receives_rlimits_sysctls_devices_in_container_hooks_and_its_start_fifo()
    {
        var spec = new RuntimeSpec
        {
            Process = new ProcessSpec
            {
                Rlimits = [new RlimitSpec("RLIMIT_NOFILE", Hard: 2048, Soft: 1024)],
                User = new UserSpec { Umask = 0x12 },
            },
            Hooks = new HooksSpec { StartContainer = [new HookSpec { Path = "/bin/hook", Args = ["hook", "x"], Timeout = 5 }] },
            Linux = new LinuxSpec
            {
                Sysctl = new() { ["net.ipv4.ip_forward"] = "1" },
                Devices = [new LinuxDevice { Path = "/dev/fuse", Major = 10, Minor = 229, FileMode = 0x1b6 }],
            },
        };

        var decoded = InitSpecCodec.Decode(InitSpecCodec.Encode(new InitInstructions(spec, "/run/x/exec.fifo", "{\"id\":\"x\"}")));

        Assert.Equal(spec.Process.Rlimits, decoded.Spec.Process.Rlimits);
        Assert.Equal(0x12u, decoded.Spec.Process.User.Umask);
        Assert.Equal("1", decoded.Spec.Linux.Sysctl!["net.ipv4.ip_forward"]);
        Assert.Equal(spec.Linux.Devices, decoded.Spec.Linux.Devices);
        Assert.Equal(["hook", "x"], decoded.Spec.Hooks!.StartContainer![0].Args);
        Assert.Equal(("/run/x/exec.fifo", "{\"id\":\"x\"}"), (decoded.StartFifo, decoded.HookState));
    }
}
