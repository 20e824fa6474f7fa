namespace Skiff.Runtime.Seccomp;

/// <summary>A seccomp profile that cannot be turned into a filter: the message names the field and the fix.</summary>
public sealed class SeccompProfileException(string message) : Skiff.Linux.SkiffException(message);
