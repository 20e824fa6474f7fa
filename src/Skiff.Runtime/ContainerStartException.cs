using Skiff.Linux;

namespace Skiff.Runtime;

/// <summary>The container could not start its program; <see cref="ExitCode"/> is what Docker would exit with (125, 126, 127).</summary>
public sealed class ContainerStartException(int exitCode, string message) : SkiffException(message, exitCode: exitCode);
