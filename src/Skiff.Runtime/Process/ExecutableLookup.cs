using Skiff.Linux;

namespace Skiff.Runtime.Process;

/// <summary>
/// Finds the program to exec as a shell would, and says why it can't: Docker's exit codes depend on
/// the difference (127 not found, 126 found but not executable).
/// </summary>
public static class ExecutableLookup
{
    public const int NotFound = 127, NotExecutable = 126;
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public sealed class LookupException(int exitCode, string message) : SkiffException(message, exitCode: exitCode);

    public static string Find(string program, IEnumerable<string> env)
    {
        if (program.Length == 0) throw new LookupException(NotFound, "exec: no command given");
        if (program.Contains('/')) return Check(program, program);

        // Without PATH, search where execvp and Docker would (ctr run --rootfs gives no environment at all).
        var path = env.FirstOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? DefaultPath;
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Join(dir, program);
            if (File.Exists(candidate) && IsExecutable(candidate)) return candidate;
        }
        throw new LookupException(NotFound, $"exec: \"{program}\": executable file not found in $PATH");
    }

    private static string Check(string path, string program)
    {
        if (Directory.Exists(path))
            throw new LookupException(NotExecutable, $"exec: \"{program}\": is a directory");
        if (!File.Exists(path))
            throw new LookupException(NotFound, $"exec: \"{program}\": no such file or directory");
        if (!IsExecutable(path))
            throw new LookupException(NotExecutable, $"exec: \"{program}\": permission denied");
        return path;
    }

    private static bool IsExecutable(string path) =>
        (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    /// <summary>Maps the errno of a failed execve to Docker's exit code.</summary>
    public static int ExitCodeFor(int errno) =>
        errno is Linux.Errno.ENOENT or Linux.Errno.ENOTDIR or Linux.Errno.ELOOP ? NotFound : NotExecutable;
}
