namespace Skiff.Cli.Formatting;

/// <summary>A --format that fails: the docker client prints the template error alone and exits 1.</summary>
public sealed class OutputFormatException(string message) : Exception(message)
{
    public const int ExitCode = 1;
}
