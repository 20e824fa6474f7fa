namespace Skiff.Runtime.Oci;

/// <summary>A runtime verb refused or failed: the message names the container and what to do; runc exits 1 for all of them.</summary>
public sealed class OciException(string message, int exitCode = 1, Exception? cause = null)
    : Skiff.Linux.SkiffException(message, cause, exitCode);
