using System.Runtime.InteropServices;

namespace Skiff.Linux;

/// <summary>
/// posix_spawn with an argv[0] of the caller's choosing, which .NET's Process cannot give: dockerd's
/// prestart hook is its own executable (/proc/PID/exe) told what to do by argv[0] ("libnetwork-setkey").
/// </summary>
public static class ChildProcess
{
    /// <summary>Starts <paramref name="path"/> with exactly <paramref name="argv"/> and <paramref name="envp"/>, stdin from <paramref name="stdin"/>; its pid.</summary>
    public static unsafe int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp, int stdin)
    {
        var strings = new List<nint>();
        nint Utf8(string s)
        {
            var p = Marshal.StringToCoTaskMemUTF8(s);
            strings.Add(p);
            return p;
        }
        var argvPtrs = argv.Select(Utf8).Append(0).ToArray();
        var envPtrs = envp.Select(Utf8).Append(0).ToArray();
        // posix_spawn_file_actions_t is 80 bytes in glibc; room to spare.
        var actions = stackalloc byte[256];
        try
        {
            Check(Libc.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            try
            {
                Check(Libc.posix_spawn_file_actions_adddup2(actions, stdin, 0), "posix_spawn_file_actions_adddup2");
                int pid;
                fixed (nint* a = argvPtrs)
                fixed (nint* e = envPtrs)
                    Check(Libc.posix_spawn(&pid, Utf8(path), actions, null, a, e), $"posix_spawn {path}");
                return pid;
            }
            finally
            {
                Libc.posix_spawn_file_actions_destroy(actions);
            }
        }
        finally
        {
            foreach (var p in strings) Marshal.FreeCoTaskMem(p);
        }
    }

    /// <summary>Waits for the child and reaps it: its exit status (128+N when killed by signal N), or null when <paramref name="timeout"/> passed first.</summary>
    public static unsafe int? WaitForExit(int pid, TimeSpan? timeout)
    {
        var pidFd = ProcessControl.OpenPidFd(pid);
        try
        {
            Span<PollFd> poll = [new PollFd(pidFd, PollFd.In)];
            if (Poll.Wait(poll, timeout is { } t ? (int)t.TotalMilliseconds : -1) == 0) return null;
        }
        finally
        {
            FileDescriptors.Close(pidFd);
        }
        int status;
        SyscallException.Check(Libc.waitpid(pid, &status, 0), $"waitpid({pid})");
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
    }

    // posix_spawn returns the error number instead of setting errno.
    private static void Check(int result, string operation)
    {
        if (result != 0) throw new SyscallException(operation, result);
    }
}
