namespace Skiff.Engine;

public enum MountType { Bind, Volume, Tmpfs }

/// <summary>One -v, --mount or --tmpfs of a container, in the terms of Docker's HostConfig.Mounts.</summary>
public sealed record MountRequest
{
    public required MountType Type { get; init; }
    /// <summary>The host path of a bind, the name of a volume (null until create names an anonymous one); none for tmpfs.</summary>
    public string? Source { get; init; }
    public required string Target { get; init; }
    public bool ReadOnly { get; init; }
    /// <summary>A bind's propagation (rprivate when not given, as Docker).</summary>
    public string? Propagation { get; init; }
    /// <summary>volume-nocopy: a new volume is not filled from the image.</summary>
    public bool NoCopy { get; init; }
    /// <summary>-v makes a missing host directory; --mount type=bind refuses a missing source instead.</summary>
    public bool CreateHostPath { get; init; }
    /// <summary>A volume made for this container alone (-v /path): rm -v removes it with the container.</summary>
    public bool Anonymous { get; init; }
    /// <summary>tmpfs mount options (size=, mode=, exec...), applied after Docker's noexec,nosuid,nodev.</summary>
    public IReadOnlyList<string> TmpfsOptions { get; init; } = [];
    /// <summary>The -v mode as the user wrote it, which Docker reports as the mount's Mode.</summary>
    public string Mode { get; init; } = "";
    /// <summary>Set at create: the host directory that is mounted (a bind's source, a volume's _data).</summary>
    public string? HostPath { get; init; }
}
