namespace Skiff.Linux;

/// <summary>setrlimit's resource names as the OCI spec spells them, and the call itself.</summary>
public static class Rlimits
{
    private static readonly string[] Names =
    [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
        "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
        "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ];

    /// <summary>The resource number of an OCI rlimit type; null for a name Linux does not have.</summary>
    public static int? Resource(string name) => Array.IndexOf(Names, name) is var i and >= 0 ? i : null;

    public static void Set(string name, ulong soft, ulong hard)
    {
        var resource = Resource(name) ?? throw new ArgumentException($"unknown rlimit type {name}: use one of {string.Join(", ", Names)}");
        SyscallException.Check(Libc.prlimit(0, resource, new Libc.RLimit { Soft = soft, Hard = hard }, 0), $"setrlimit {name}");
    }
}
