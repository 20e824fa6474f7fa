using Skiff.Engine.Containers;
using Skiff.Engine.Networks;

namespace Skiff.Engine.Build;

/// <summary>What <c>skiff build</c> asks for.</summary>
public sealed record BuildRequest
{
    /// <summary>The Dockerfile's text, already read (from the context, -f FILE or stdin).</summary>
    public required string Dockerfile { get; init; }
    /// <summary>Where the Dockerfile came from, for messages ("Dockerfile", "-").</summary>
    public string DockerfileName { get; init; } = "Dockerfile";
    /// <summary>The context directory, read in place; null when the context is "-" (no files).</summary>
    public string? ContextDirectory { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();
    public string? Target { get; init; }
    public bool NoCache { get; init; }
    /// <summary>--pull: fetches a FROM image from its registry before it is used (null: local images only).</summary>
    public Action<string>? PullBase { get; init; }
    /// <summary>The network RUN steps get (--network): bridge by default, as Docker's "default".</summary>
    public NetworkChoice Network { get; init; } = new(NetworkMode.Bridge, [], null);
}

/// <summary>A build that stopped: the message names the step; a failed RUN's exit code is the build's.</summary>
public sealed class BuildException(string message, int exitCode = Skiff.Linux.SkiffException.EngineError)
    : Skiff.Linux.SkiffException(message, exitCode: exitCode);
