using System.Text.Json.Serialization;

namespace Skiff.Runtime.Spec;

// The OCI runtime-spec config.json, as far as Skiff implements it. Property names follow the spec
// exactly so a bundle written by containerd, Podman or Docker reads without translation.

public sealed record RuntimeSpec
{
    public string OciVersion { get; init; } = "1.0.2";
    public ProcessSpec Process { get; init; } = new();
    public RootSpec Root { get; init; } = new();
    public string? Hostname { get; init; }
    public List<MountSpec> Mounts { get; init; } = [];
    public LinuxSpec Linux { get; init; } = new();
    public Dictionary<string, string>? Annotations { get; init; }
}

public sealed record ProcessSpec
{
    public bool Terminal { get; init; }
    public ConsoleSize? ConsoleSize { get; init; }
    public UserSpec User { get; init; } = new();
    public List<string> Args { get; init; } = [];
    public List<string> Env { get; init; } = [];
    public string Cwd { get; init; } = "/";
    public CapabilitiesSpec? Capabilities { get; init; }
    public List<RlimitSpec>? Rlimits { get; init; }
    public bool NoNewPrivileges { get; init; }
}

public sealed record ConsoleSize(uint Height, uint Width);

public sealed record UserSpec
{
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public List<uint>? AdditionalGids { get; init; }
    /// <summary>A user name or uid[:gid] still to be resolved against the container's /etc/passwd
    /// and /etc/group (the engine cannot read them before the rootfs is mounted). Not in the OCI spec.</summary>
    [JsonPropertyName("skiff.username")]
    public string? Username { get; init; }
}

public sealed record CapabilitiesSpec
{
    public List<string> Bounding { get; init; } = [];
    public List<string> Effective { get; init; } = [];
    public List<string> Inheritable { get; init; } = [];
    public List<string> Permitted { get; init; } = [];
    public List<string> Ambient { get; init; } = [];
}

public sealed record RlimitSpec(string Type, ulong Hard, ulong Soft);

public sealed record RootSpec
{
    public string Path { get; init; } = "rootfs";
    public bool Readonly { get; init; }
}

public sealed record MountSpec
{
    public string Destination { get; init; } = "";
    public string? Type { get; init; }
    public string? Source { get; init; }
    public List<string>? Options { get; init; }
}

public sealed record LinuxSpec
{
    public List<NamespaceSpec> Namespaces { get; init; } = [];
    public LinuxResources? Resources { get; init; }
    public string? CgroupsPath { get; init; }
    public List<string>? MaskedPaths { get; init; }
    public List<string>? ReadonlyPaths { get; init; }
    public Dictionary<string, string>? Sysctl { get; init; }
    /// <summary>Absent: no filter (Docker's <c>seccomp=unconfined</c> and <c>--privileged</c>).</summary>
    public SeccompSpec? Seccomp { get; init; }
    /// <summary>Overlay layers the runtime mounts as the rootfs inside the container's own mount
    /// namespace, so the host never sees the mount and nothing leaks if the engine dies.
    /// Not in the OCI spec; absent for ordinary bundles, where root.path is used as it is.</summary>
    [JsonPropertyName("skiff.overlay")]
    public OverlaySpec? Overlay { get; init; }
}

public sealed record OverlaySpec(List<string> LowerDirs, string UpperDir, string WorkDir);

public sealed record NamespaceSpec(string Type, string? Path = null);

public sealed record LinuxResources
{
    public MemoryResources? Memory { get; init; }
    public CpuResources? Cpu { get; init; }
    public PidsResources? Pids { get; init; }
    public BlockIoResources? BlockIO { get; init; }
}

public sealed record MemoryResources
{
    public long? Limit { get; init; }
    public long? Reservation { get; init; }
    /// <summary>Memory plus swap, as in the OCI spec and cgroup v1's memsw; -1 is unlimited.</summary>
    public long? Swap { get; init; }
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
