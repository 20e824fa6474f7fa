using Skiff.Runtime;

namespace Skiff.Engine.State;

/// <summary>Docker's container states, spelled as `docker ps` and `inspect` spell them.</summary>
public enum ContainerStatus { Created, Running, Paused, Restarting, Exited, Dead, Removing }

/// <summary>One container as the database keeps it: what was asked for, and what became of it.</summary>
public sealed record ContainerRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Image { get; init; }
    public required string ImageId { get; init; }
    public required DateTime Created { get; init; }
    private Lazy<RunRequest> _request = new(() => throw new InvalidOperationException("a container record without its request"));

    public RunRequest Request { get => _request.Value; init => _request = new(value); }

    /// <summary>
    /// The request as the store provides it, made on first use: most commands only look at the
    /// status columns, and parsing it costs the start path tens of milliseconds of cold JSON code.
    /// </summary>
    internal Func<RunRequest> StoredRequest { init => _request = new(value); }
    public ContainerStatus Status { get; init; } = ContainerStatus.Created;
    /// <summary>The container's init (the program) as the host sees it; 0 when not running.</summary>
    public int Pid { get; init; }
    /// <summary>The process that owns the container while it runs: a monitor, or the CLI of a foreground run.</summary>
    public int MonitorPid { get; init; }
    public int ExitCode { get; init; }
    public bool OomKilled { get; init; }
    public DateTime? StartedAt { get; init; }
    public DateTime? FinishedAt { get; init; }
    public int RestartCount { get; init; }
    /// <summary>Set by stop and kill: a restart policy never undoes them.</summary>
    public bool StopRequested { get; init; }
    public string? Error { get; init; }

    public string ShortId => Id[..12];

    /// <summary>Where the runtime keeps the container's cgroup (a method, so that it is never stored).</summary>
    public CgroupLocation Cgroup() => new(Request.CgroupParent ?? ContainerRuntime.DefaultCgroupParent, Id);
}
