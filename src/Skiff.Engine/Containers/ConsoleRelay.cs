using System.Runtime.InteropServices;
using Skiff.Linux;

namespace Skiff.Engine.Containers;

/// <summary>
/// Joins the user's terminal to a container's pty: raw mode on ours, bytes both ways, and our window
/// size carried over at start and on every SIGWINCH.
/// </summary>
public sealed class ConsoleRelay : IDisposable
{
    private readonly OwnedFd _master;
    private readonly RawTerminalMode? _raw;
    private readonly PosixSignalRegistration _resize;
    private readonly Thread _output;

    /// <param name="master">closed when the relay is disposed.</param>
    public ConsoleRelay(OwnedFd master, bool forwardInput)
    {
        _master = master;
        CopySize();
        _resize = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => CopySize());
        _raw = FileDescriptors.IsTerminal(0) ? RawTerminalMode.Enter(0) : null;
        var fd = master.Value;
        _output = new Thread(() => Pump(fd, 1)) { IsBackground = true, Name = "console-out" };
        _output.Start();
        if (forwardInput)
            new Thread(() => Pump(0, fd)) { IsBackground = true, Name = "console-in" }.Start();
    }

    /// <summary>Waits until the container's side of the pty is closed and everything it wrote is out.</summary>
    public void Drain() => _output.Join();

    private void CopySize()
    {
        var size = Pty.GetSize(0) ?? Pty.GetSize(1);
        if (size is { } s) Pty.SetSize(_master.Value, s);
    }

    private static void Pump(int from, int to)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            int n;
            while ((n = FileDescriptors.Read(from, buffer)) > 0) FileDescriptors.WriteAll(to, buffer.AsSpan(0, n));
        }
        catch (SyscallException)
        {
            // Either side going away ends the relay; the exit status is what reports the outcome.
        }
    }

    public void Dispose()
    {
        _resize.Dispose();
        _raw?.Dispose();
        _master.Dispose();
    }
}
