namespace Skiff.Linux;

public static class WorkingDirectory
{
    /// <summary>
    /// Whether the working directory can be reached from the process's root. getcwd fails (ENOENT,
    /// for the kernel's "(unreachable)" path) for a directory outside it, such as one entered
    /// through a descriptor opened before pivot_root.
    /// </summary>
    public static unsafe bool IsInsideRoot()
    {
        var buffer = stackalloc byte[4096];
        return Libc.getcwd(buffer, 4096) is not null;
    }
}
