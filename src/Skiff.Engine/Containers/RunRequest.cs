namespace Skiff.Engine.Containers;

public enum NetworkMode { None, Host }

/// <summary>Everything <c>skiff run</c> (and later the API's create) asks of a new container.</summary>
public sealed record RunRequest
{
    public required string Image { get; init; }
    public IReadOnlyList<string> Command { get; init; } = [];
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public string? Name { get; init; }
    public bool Interactive { get; init; }
    public bool Tty { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    public string? Hostname { get; init; }
    public NetworkMode Network { get; init; } = NetworkMode.None;
    public ResourceLimits Resources { get; init; } = new();
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];
    public bool Privileged { get; init; }
    public bool ReadOnlyRootfs { get; init; }
    public bool NoNewPrivileges { get; init; }
    public string? CgroupParent { get; init; }
}

public sealed record ResourceLimits
{
    public long? MemoryBytes { get; init; }
    /// <summary>Memory plus swap, Docker's --memory-swap: -1 unlimited, null twice the memory.</summary>
    public long? MemorySwapBytes { get; init; }
    public decimal? Cpus { get; init; }
    public ulong? CpuShares { get; init; }
    public string? CpusetCpus { get; init; }
    public long? PidsLimit { get; init; }
}
