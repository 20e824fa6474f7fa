namespace Skiff.Engine.Containers;

/// <summary>What <c>skiff exec</c> asks: a command to run in a running container, and how.</summary>
public sealed record ExecRequest
{
    public required IReadOnlyList<string> Command { get; init; }
    public bool Interactive { get; init; }
    public bool Tty { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    public bool Privileged { get; init; }
}
