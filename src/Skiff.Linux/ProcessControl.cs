using System.Runtime.InteropServices;

namespace Skiff.Linux;

public static class ProcessControl
{
    public static int CurrentPid => Libc.getpid();

    /// <summary>Sends a signal; false when the process is already gone.</summary>
    public static bool Signal(int pid, int signal)
    {
        if (Libc.kill(pid, signal) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        return errno == Errno.ESRCH ? false : throw new SyscallException($"kill({pid}, {signal})", errno);
    }

    /// <summary>Replaces this process with the program; returns only by throwing, with the errno that tells 126 from 127.</summary>
    public static unsafe void Exec(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp)
    {
        var argvPtrs = ToCStrings(argv);
        var envPtrs = ToCStrings(envp);
        var pathPtr = (byte*)Marshal.StringToCoTaskMemUTF8(path);
        fixed (nint* a = argvPtrs)
        fixed (nint* e = envPtrs)
        {
            Libc.execve(pathPtr, (byte**)a, (byte**)e);
        }
        throw new SyscallException($"exec \"{path}\"", Marshal.GetLastPInvokeError());
    }

    // Leaked on purpose: on success the process image is replaced, and on failure the caller exits.
    private static nint[] ToCStrings(IReadOnlyList<string> values)
    {
        var ptrs = new nint[values.Count + 1];
        for (var i = 0; i < values.Count; i++) ptrs[i] = Marshal.StringToCoTaskMemUTF8(values[i]);
        return ptrs;
    }

    /// <summary>A descriptor of the process that survives pid reuse; needed for <see cref="TakeDescriptor"/>.</summary>
    /// <summary>
    /// Closes /proc/PID/exe, /fd and /mem of this process to any process without CAP_SYS_PTRACE over
    /// it, as runc's init does (CVE-2019-5736). execve of an ordinary program makes it dumpable again.
    /// </summary>
    public static void MakeUndumpable() =>
        SyscallException.Check(Libc.prctl(PrSetDumpable, 0, 0, 0, 0), "prctl(PR_SET_DUMPABLE)");

    private const int PrSetDumpable = 4;

    public static int OpenPidFd(int pid) =>
        (int)SyscallException.Check(Libc.syscall(SyscallNumbers.PidfdOpen, pid, 0, 0), $"pidfd_open({pid})");

    /// <summary>Duplicates descriptor <paramref name="fd"/> of another process into this one (pidfd_getfd).</summary>
    public static int TakeDescriptor(int pidFd, int fd) =>
        (int)SyscallException.Check(Libc.syscall(SyscallNumbers.PidfdGetfd, pidFd, fd, 0), $"pidfd_getfd(fd {fd})");

    /// <summary>setsid(): a new session with no controlling terminal.</summary>
    public static void NewSession() => Libc.setsid();

    /// <summary>Sets the file mode creation mask for the rest of this process and what it execs.</summary>
    public static void SetUmask(uint mask) => Libc.umask(mask);

    /// <summary>Points stdin, stdout and stderr at /dev/null, cutting this process loose from whoever started it.</summary>
    public static void DetachStdio()
    {
        var devNull = FileDescriptors.Open("/dev/null", FileDescriptors.ORdwr);
        for (var fd = 0; fd < 3; fd++) FileDescriptors.Dup2(devNull, fd);
        FileDescriptors.Close(devNull);
    }

    public static string Hostname()
    {
        var name = File.ReadAllText("/proc/sys/kernel/hostname").Trim();
        return name.Length > 0 ? name : Environment.MachineName;
    }
}
