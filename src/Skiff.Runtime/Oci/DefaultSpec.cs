using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Oci;

/// <summary>The config.json that <c>runc spec</c> writes, field for field, and its --rootless variant.</summary>
public static class DefaultSpec
{
    private static readonly List<string> Caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

    public static RuntimeSpec Create(bool rootless, uint uid = 0, uint gid = 0)
    {
        var spec = new RuntimeSpec
        {
            OciVersion = "1.0.2-dev",
            Process = new ProcessSpec
            {
                Terminal = true,
                Args = ["sh"],
                Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                Cwd = "/",
                Capabilities = new CapabilitiesSpec { Bounding = Caps, Effective = Caps, Permitted = Caps, Ambient = Caps },
                Rlimits = [new RlimitSpec("RLIMIT_NOFILE", 1024, 1024)],
                NoNewPrivileges = true,
            },
            Root = new RootSpec { Path = "rootfs", Readonly = true },
            Hostname = "runc",
            Mounts =
            [
                new() { Destination = "/proc", Type = "proc", Source = "proc" },
                new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
                new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
                new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
                new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
                new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
                new() { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["nosuid", "noexec", "nodev", "relatime", "ro"] },
            ],
            Linux = new LinuxSpec
            {
                Resources = new LinuxResources { Devices = [new DeviceRule { Allow = false, Access = "rwm" }] },
                Namespaces = [new("pid"), new("network"), new("ipc"), new("uts"), new("mount")],
                MaskedPaths =
                [
                    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                ],
                ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
            },
        };
        return rootless ? Rootless(spec, uid, gid) : spec;
    }

    /// <summary>runc's changes for a user without privileges: a user namespace mapping them to root, no cgroup mount, /sys bound from the host, no device rules.</summary>
    private static RuntimeSpec Rootless(RuntimeSpec spec, uint uid, uint gid) => spec with
    {
        Mounts = spec.Mounts
            .Where(m => m.Destination != "/sys/fs/cgroup")
            .Select(m => m.Destination switch
            {
                "/sys" => new MountSpec { Destination = "/sys", Type = "none", Source = "/sys", Options = ["rbind", "nosuid", "noexec", "nodev", "ro"] },
                "/dev/pts" => m with { Options = m.Options!.Where(o => o != "gid=5").ToList() },
                _ => m,
            }).ToList(),
        Linux = spec.Linux with
        {
            Resources = null,
            Namespaces = [.. spec.Linux.Namespaces.Where(n => n.Type != "network"), new("user")],
            UidMappings = [new IdMapping(0, uid, 1)],
            GidMappings = [new IdMapping(0, gid, 1)],
        },
    };
}
