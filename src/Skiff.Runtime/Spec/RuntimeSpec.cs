using System.Text.Json.Serialization;

namespace Skiff.Runtime.Spec;

// The OCI runtime-spec config.json, as far as Skiff implements it. Property names follow the spec
// exactly so a bundle written by containerd, Podman or Docker reads without translation.
// Properties with a default are settable, not init-only: the JSON source generator sets every
// init-only property, absent or not (a missing "ambient" would be null), but calls a setter only
// for what the document has, so a field containerd leaves out keeps the spec's default.

public sealed record RuntimeSpec
{
    public string OciVersion { get; set; } = "1.0.2";
    public ProcessSpec Process { get; set; } = new();
    public RootSpec Root { get; set; } = new();
    public string? Hostname { get; init; }
    public List<MountSpec> Mounts { get; set; } = [];
    public LinuxSpec Linux { get; set; } = new();
    public Dictionary<string, string>? Annotations { get; init; }
    public HooksSpec? Hooks { get; init; }
}

/// <summary>Programs the runtime runs at points of a container's life, each with the state on its stdin.</summary>
public sealed record HooksSpec
{
    public List<HookSpec>? Prestart { get; init; }
    public List<HookSpec>? CreateRuntime { get; init; }
    public List<HookSpec>? CreateContainer { get; init; }
    public List<HookSpec>? StartContainer { get; init; }
    public List<HookSpec>? Poststart { get; init; }
    public List<HookSpec>? Poststop { get; init; }
}

public sealed record HookSpec
{
    public string Path { get; set; } = "";
    public List<string>? Args { get; init; }
    public List<string>? Env { get; init; }
    public int? Timeout { get; init; }
}

public sealed record ProcessSpec
{
    public bool Terminal { get; init; }
    public ConsoleSize? ConsoleSize { get; init; }
    public UserSpec User { get; set; } = new();
    public List<string> Args { get; set; } = [];
    public List<string> Env { get; set; } = [];
    public string Cwd { get; set; } = "/";
    public CapabilitiesSpec? Capabilities { get; init; }
    public List<RlimitSpec>? Rlimits { get; init; }
    public bool NoNewPrivileges { get; init; }
    public int? OomScoreAdj { get; init; }
}

public sealed record ConsoleSize(uint Height, uint Width);

public sealed record UserSpec
{
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public List<uint>? AdditionalGids { get; init; }
    public uint? Umask { get; init; }
    /// <summary>A user name or uid[:gid] still to be resolved against the container's /etc/passwd
    /// and /etc/group (the engine cannot read them before the rootfs is mounted). Not in the OCI spec.</summary>
    [JsonPropertyName("skiff.username")]
    public string? Username { get; init; }
}

public sealed record CapabilitiesSpec
{
    public List<string> Bounding { get; set; } = [];
    public List<string> Effective { get; set; } = [];
    public List<string> Inheritable { get; set; } = [];
    public List<string> Permitted { get; set; } = [];
    public List<string> Ambient { get; set; } = [];
}

public sealed record RlimitSpec(string Type, ulong Hard, ulong Soft);

public sealed record RootSpec
{
    public string Path { get; set; } = "rootfs";
    public bool Readonly { get; init; }
}

public sealed record MountSpec
{
    public string Destination { get; set; } = "";
    public string? Type { get; init; }
    public string? Source { get; init; }
    public List<string>? Options { get; init; }
}

public sealed record LinuxSpec
{
    public List<NamespaceSpec> Namespaces { get; set; } = [];
    public LinuxResources? Resources { get; init; }
    public string? CgroupsPath { get; init; }
    public List<string>? MaskedPaths { get; init; }
    public List<string>? ReadonlyPaths { get; init; }
    public Dictionary<string, string>? Sysctl { get; init; }
    /// <summary>Absent: no filter (Docker's <c>seccomp=unconfined</c> and <c>--privileged</c>).</summary>
    public SeccompSpec? Seccomp { get; init; }
    public List<LinuxDevice>? Devices { get; init; }
    public List<IdMapping>? UidMappings { get; init; }
    public List<IdMapping>? GidMappings { get; init; }
    /// <summary>Overlay layers the runtime mounts as the rootfs inside the container's own mount
    /// namespace, so the host never sees the mount and nothing leaks if the engine dies.
    /// Not in the OCI spec; absent for ordinary bundles, where root.path is used as it is.</summary>
    [JsonPropertyName("skiff.overlay")]
    public OverlaySpec? Overlay { get; init; }
}

public sealed record IdMapping(uint ContainerID, uint HostID, uint Size);

public sealed record OverlaySpec(List<string> LowerDirs, string UpperDir, string WorkDir);

public sealed record NamespaceSpec(string Type, string? Path = null);

public sealed record LinuxResources
{
    public MemoryResources? Memory { get; init; }
    public CpuResources? Cpu { get; init; }
    public PidsResources? Pids { get; init; }
    public BlockIoResources? BlockIO { get; init; }
    public List<DeviceRule>? Devices { get; init; }
}

/// <summary>One rule of the device cgroup: allow or deny access (r, w, m) to a device type and number.</summary>
public sealed record DeviceRule
{
    public bool Allow { get; init; }
    public string? Type { get; init; }
    public long? Major { get; init; }
    public long? Minor { get; init; }
    public string? Access { get; init; }
}

/// <summary>A device node the runtime creates in the container's /dev.</summary>
public sealed record LinuxDevice
{
    public string Path { get; set; } = "";
    public string Type { get; set; } = "c";
    public long Major { get; init; }
    public long Minor { get; init; }
    public uint? FileMode { get; init; }
    public uint? Uid { get; init; }
    public uint? Gid { get; init; }
}

public sealed record MemoryResources
{
    public long? Limit { get; init; }
    public long? Reservation { get; init; }
    /// <summary>Memory plus swap, as in the OCI spec and cgroup v1's memsw; -1 is unlimited.</summary>
    public long? Swap { get; init; }
    /// <summary>0 to 100: how readily the kernel swaps the cgroup's pages out (cgroup v1); ulong.MaxValue (-1) leaves it unset, as runc reads it.</summary>
    public ulong? Swappiness { get; init; }
    /// <summary>At the limit, the cgroup's processes wait for memory instead of one being killed (cgroup v1).</summary>
    [JsonPropertyName("disableOOMKiller")]
    public bool? DisableOomKiller { get; init; }
}

public sealed record CpuResources
{
    public ulong? Shares { get; init; }
    public long? Quota { get; init; }
    public ulong? Period { get; init; }
    public string? Cpus { get; init; }
    public string? Mems { get; init; }
}

public sealed record PidsResources(long Limit);

public sealed record BlockIoResources
{
    public ushort? Weight { get; init; }
    public List<ThrottleDevice>? ThrottleReadBpsDevice { get; init; }
    public List<ThrottleDevice>? ThrottleWriteBpsDevice { get; init; }
    public List<ThrottleDevice>? ThrottleReadIOPSDevice { get; init; }
    public List<ThrottleDevice>? ThrottleWriteIOPSDevice { get; init; }
}

public sealed record ThrottleDevice(long Major, long Minor, ulong Rate);
