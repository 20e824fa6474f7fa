namespace Skiff.Cli;

/// <summary>Docker's exit codes for failures of the engine itself, as opposed to the container's program.</summary>
public static class ExitCodes
{
    public const int EngineError = Linux.SkiffException.EngineError;
    public const int NotExecutable = 126;
    public const int NotFound = 127;
}
