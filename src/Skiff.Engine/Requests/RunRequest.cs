using Skiff.Linux;

namespace Skiff.Engine;

public enum NetworkMode { None, Host, Bridge, Container }

/// <summary>Everything <c>skiff run</c> (and later the API's create) asks of a new container.</summary>
public sealed record RunRequest
{
    public required string Image { get; init; }
    public IReadOnlyList<string> Command { get; init; } = [];
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public string? Name { get; init; }
    public bool Interactive { get; init; }
    /// <summary>Docker's StdinOnce (create -i, never run -d -i): the end of an attacher's input closes the container's stdin.</summary>
    public bool StdinOnce { get; init; }
    public bool Tty { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    public string? Hostname { get; init; }
    public NetworkMode Network { get; init; } = NetworkMode.Bridge;
    /// <summary>The bridge networks of <see cref="NetworkMode.Bridge"/>, in order (the first gives the default route); none means the default network.</summary>
    public IReadOnlyList<NetworkAttachment> Networks { get; init; } = [];
    /// <summary>--network container:NAME: the id of the container whose network namespace this one joins.</summary>
    public string? NetworkContainer { get; init; }
    /// <summary>--add-host, --dns, --dns-search, --dns-option.</summary>
    public NameSettings Names { get; init; } = new();
    /// <summary>-p: host ports forwarded to the container (bridge networks only); with -P also every exposed port.</summary>
    public IReadOnlyList<Skiff.Network.Ports.PortRequest> Publish { get; init; } = [];
    /// <summary>-P: publish every port the image EXPOSEs and <see cref="Expose"/> on ephemeral host ports.</summary>
    public bool PublishAll { get; init; }
    /// <summary>--expose: ports to expose beside the image's own ("80/tcp").</summary>
    public IReadOnlyList<string> Expose { get; init; } = [];
    public ResourceLimits Resources { get; init; } = new();
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];
    public bool Privileged { get; init; }
    public bool ReadOnlyRootfs { get; init; }
    public bool NoNewPrivileges { get; init; }
    public string? CgroupParent { get; init; }
    /// <summary>--rm: the container and its files go away when it exits.</summary>
    public bool AutoRemove { get; init; }
    public RestartPolicy Restart { get; init; } = RestartPolicy.No;
    public LogOptions Log { get; init; } = new();
    /// <summary>-v, --mount and --tmpfs, in the order given.</summary>
    public IReadOnlyList<MountRequest> Mounts { get; init; } = [];
}

public enum RestartMode { No, OnFailure, Always, UnlessStopped }

/// <summary>Docker's --restart: no, on-failure[:max-retries], always, unless-stopped.</summary>
public sealed record RestartPolicy(RestartMode Mode, int MaxRetries = 0)
{
    public static readonly RestartPolicy No = new(RestartMode.No);

    public static RestartPolicy Parse(string text)
    {
        var parts = text.Split(':', 2);
        var mode = parts[0] switch
        {
            "no" => RestartMode.No,
            "on-failure" => RestartMode.OnFailure,
            "always" => RestartMode.Always,
            "unless-stopped" => RestartMode.UnlessStopped,
            _ => throw new InvalidInputException($"invalid restart policy \"{text}\": use no, on-failure[:max-retries], always or unless-stopped"),
        };
        if (parts.Length == 1) return new RestartPolicy(mode);
        if (mode != RestartMode.OnFailure)
            throw new InvalidInputException($"invalid restart policy \"{text}\": only on-failure takes a maximum retry count");
        if (!int.TryParse(parts[1], out var max) || max < 0)
            throw new InvalidInputException($"invalid restart policy \"{text}\": the maximum retry count must be a number of 0 or more");
        return new RestartPolicy(mode, max);
    }

    /// <summary>Whether the monitor starts the container again after it exited with this code.</summary>
    public bool ShouldRestart(int exitCode, int restartCount, bool stopRequested) => !stopRequested && Mode switch
    {
        RestartMode.Always or RestartMode.UnlessStopped => true,
        RestartMode.OnFailure => exitCode != 0 && (MaxRetries == 0 || restartCount < MaxRetries),
        _ => false,
    };

    public override string ToString() => Mode switch
    {
        RestartMode.No => "no",
        RestartMode.OnFailure => MaxRetries > 0 ? $"on-failure:{MaxRetries}" : "on-failure",
        RestartMode.Always => "always",
        _ => "unless-stopped",
    };
}

/// <summary>The json-file log driver's --log-opt max-size and max-file (no cap by default, as in Docker).</summary>
public sealed record LogOptions(long? MaxSizeBytes = null, int MaxFiles = 1);

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
