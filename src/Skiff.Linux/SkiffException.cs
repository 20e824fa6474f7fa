namespace Skiff.Linux;

/// <summary>
/// Base of every failure Skiff reports to a user, in every layer: the message is one sentence that
/// names the thing and the fix, and <see cref="ExitCode"/> is what the command exits with (Docker's
/// 125 for the engine's own failures, 126/127 when the program cannot be run). Front ends print the
/// message as it is; any other exception is a bug and is reported as an internal error.
/// </summary>
public abstract class SkiffException(string message, Exception? inner = null, int exitCode = SkiffException.EngineError)
    : Exception(message, inner)
{
    /// <summary>Docker's exit code for a failure of the engine itself, as opposed to the container's program.</summary>
    public const int EngineError = 125;

    public int ExitCode { get; } = exitCode;
}
