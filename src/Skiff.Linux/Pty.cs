namespace Skiff.Linux;

public readonly record struct WindowSize(ushort Rows, ushort Columns);

/// <summary>Pseudo-terminals: the pair a container's console is made of, and window sizes.</summary>
public static class Pty
{
    private const ulong TIOCSPTLCK = 0x40045431, TIOCGPTN = 0x80045430, TIOCGPTPEER = 0x5441,
        TIOCSCTTY = 0x540E, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414;

    /// <summary>Opens a new pty from the given ptmx (the container's own devpts instance) and returns master, slave and the slave's path.</summary>
    public static unsafe (int Master, int Slave, string SlavePath) Open(string ptmxPath)
    {
        var master = FileDescriptors.Open(ptmxPath, FileDescriptors.ORdwr | FileDescriptors.ONoctty);
        int unlock = 0, number = 0;
        SyscallException.Check(Libc.ioctl(master, TIOCSPTLCK, (nint)(&unlock)), "unlock pty");
        SyscallException.Check(Libc.ioctl(master, TIOCGPTN, (nint)(&number)), "pty number");
        var slave = SyscallException.Check(
            Libc.ioctl(master, TIOCGPTPEER, FileDescriptors.ORdwr | FileDescriptors.ONoctty | 0x80000), "open pty peer");
        return (master, slave, $"/dev/pts/{number}");
    }

    /// <summary>Starts a new session and makes the terminal its controlling terminal, as a login shell expects.</summary>
    public static void BecomeControllingTerminal(int fd)
    {
        SyscallException.Check(Libc.setsid(), "setsid");
        SyscallException.Check(Libc.ioctl(fd, TIOCSCTTY, 0), "set controlling terminal");
    }

    public static WindowSize? GetSize(int fd)
    {
        var ws = new Libc.WinSize();
        return Libc.ioctl(fd, TIOCGWINSZ, ref ws) < 0 ? null : new WindowSize(ws.Rows, ws.Cols);
    }

    public static void SetSize(int fd, WindowSize size)
    {
        var ws = new Libc.WinSize { Rows = size.Rows, Cols = size.Columns };
        SyscallException.Check(Libc.ioctl(fd, TIOCSWINSZ, ref ws), "set window size");
    }
}

/// <summary>The caller's terminal switched to raw mode for the life of the object, restored on dispose.</summary>
public sealed class RawTerminalMode : IDisposable
{
    private readonly int _fd;
    private readonly Libc.Termios _saved;
    private int _restored;

    private RawTerminalMode(int fd, Libc.Termios saved) { _fd = fd; _saved = saved; }

    public static RawTerminalMode? Enter(int fd)
    {
        if (Libc.tcgetattr(fd, out var saved) < 0) return null;
        var raw = saved;
        Libc.cfmakeraw(ref raw);
        SyscallException.Check(Libc.tcsetattr(fd, 0, in raw), "set terminal raw mode");
        return new RawTerminalMode(fd, saved);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _restored, 1) == 0) Libc.tcsetattr(_fd, 0, in _saved);
    }
}
