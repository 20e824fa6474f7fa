namespace Skiff.Linux;

/// <summary>
/// Named points of the commands that must survive being killed anywhere (rm, commit, network create,
/// pull, and the image store's blob and snapshot writes under them all): with
/// SKIFF_CRASH_AT=NAME the process kills itself there with SIGKILL, so that the crash tests stop
/// it at exactly each point rather than guessing with delays. With SKIFF_STOP_AT=NAME it stops
/// itself (SIGSTOP) instead, for tests that look at the process in that state, as an attacker in
/// the container could. One environment lookup each when unset.
/// </summary>
public static class CrashPoint
{
    private static readonly string? Target = Environment.GetEnvironmentVariable("SKIFF_CRASH_AT");
    private static readonly string? StopTarget = Environment.GetEnvironmentVariable("SKIFF_STOP_AT");

    public static void Reached(string name)
    {
        if (Target == name) Libc.kill(Libc.getpid(), 9);
        if (StopTarget == name) Libc.kill(Libc.getpid(), 19);
    }
}
