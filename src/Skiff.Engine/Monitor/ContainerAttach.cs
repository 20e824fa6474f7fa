using System.Runtime.InteropServices;
using Skiff.Engine.Containers;
using Skiff.Engine.State;
using Skiff.Linux;

namespace Skiff.Engine.Monitor;

/// <summary>What attach and start -a ask for.</summary>
/// <param name="Stdin">pass our input on (to a container made with -i).</param>
/// <param name="SignalProxy">send the signals we get on to the container (without -t: with it, Ctrl-C is a keystroke).</param>
public sealed record AttachOptions(bool Stdin, bool SignalProxy, DetachKeys Keys);

/// <summary>
/// attach and start -a: our terminal joined to a container that its monitor runs, through the
/// container's attach socket (<see cref="AttachFrames"/>): its output as it comes, our input up to
/// the detach keys, our window size; its exit code when it ends.
/// </summary>
public sealed class ContainerAttach(ContainerEngine engine)
{
    public int Attach(string reference, AttachOptions options)
    {
        var record = engine.Find(reference);
        EnsureAttachable(record);
        int connection;
        try
        {
            connection = UnixSockets.Connect(AttachFrames.SocketPath(engine.Paths, record.Id));
        }
        catch (SyscallException e) when (e.Errno is Errno.ENOENT or Errno.ECONNREFUSED)
        {
            // Stopped meanwhile, or never had a monitor to serve it.
            EnsureAttachable(engine.Find(record.Id));
            throw new ConflictException($"container {record.Name} runs in the foreground of the skiff that started it (run without -d): only containers started with run -d or start can be attached");
        }
        return Relay(record, connection, options);
    }

    /// <summary>start -a: attached before the program starts, so that none of its output is missed.</summary>
    public int Start(string reference, AttachOptions options)
    {
        var record = engine.Find(reference);
        if (record.Status is ContainerStatus.Running or ContainerStatus.Paused or ContainerStatus.Restarting)
            return Attach(record.Id, options);
        return Relay(record, MonitorLauncher.StartAttached(engine, record), options);
    }

    private static void EnsureAttachable(ContainerRecord record)
    {
        var message = record.Status switch
        {
            ContainerStatus.Running => null,
            ContainerStatus.Paused => $"You cannot attach to a paused container, unpause it first (skiff unpause {record.Name})",
            ContainerStatus.Restarting => $"You cannot attach to a restarting container, wait until it is running ({record.Name})",
            _ => $"You cannot attach to a stopped container, start it first (skiff start -a {record.Name})",
        };
        if (message is not null) throw new ConflictException(message);
    }

    private int Relay(ContainerRecord record, int connection, AttachOptions options)
    {
        var tty = record.Request.Tty;
        var input = options.Stdin && record.Request.Interactive;
        using var session = new Session(connection);
        using var raw = tty && input && FileDescriptors.IsTerminal(0) ? RawTerminalMode.Enter(0) : null;
        using var resize = tty ? PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => session.SendSize()) : null;
        using var proxy = !tty && options.SignalProxy ? new SignalProxy(sig => session.Send(AttachFrames.Signal(sig))) : null;
        if (tty) session.SendSize();
        if (input) new Thread(() => session.ForwardInput(options.Keys)) { IsBackground = true, Name = "attach-in" }.Start();
        var exitCode = session.ReadOutput();
        if (session.Detached) return 0;
        // No exit frame: the monitor died with the container, and the next read of the record says how it ended.
        return exitCode ?? engine.WaitForExit(record.Id).ExitCode;
    }

    /// <summary>One connection: output read on the caller's thread, input and sizes written from others.</summary>
    private sealed class Session(int connection) : IDisposable
    {
        private readonly Lock _write = new();
        private bool _closed;
        private volatile bool _detached;

        public bool Detached => _detached;

        public int? ReadOutput()
        {
            var decoder = new AttachFrames.Decoder();
            var buffer = new byte[32 * 1024];
            while (true)
            {
                int n;
                try
                {
                    n = FileDescriptors.Read(connection, buffer);
                }
                catch (SyscallException)
                {
                    return null;
                }
                if (n == 0) return null;
                decoder.Append(buffer.AsSpan(0, n));
                while (decoder.TryNext(out var kind, out var payload))
                {
                    switch (kind)
                    {
                        case AttachFrameKind.Stdout: Write(1, payload); break;
                        case AttachFrameKind.Stderr: Write(2, payload); break;
                        case AttachFrameKind.Exit: return AttachFrames.ReadNumber(payload);
                    }
                }
            }
        }

        // Our own output closed (a pipe whose reader left) is no reason to stop waiting for the exit code.
        private static void Write(int fd, ReadOnlySpan<byte> data)
        {
            try
            {
                FileDescriptors.WriteAll(fd, data);
            }
            catch (SyscallException)
            {
            }
        }

        public void ForwardInput(DetachKeys keys)
        {
            var buffer = new byte[32 * 1024];
            var forward = new List<byte>();
            while (true)
            {
                int n;
                try
                {
                    n = FileDescriptors.Read(0, buffer);
                }
                catch (SyscallException)
                {
                    n = 0;
                }
                if (n == 0)
                {
                    Send(AttachFrames.Encode(AttachFrameKind.StdinClosed, []));
                    return;
                }
                forward.Clear();
                var detach = keys.Scan(buffer.AsSpan(0, n), forward);
                if (forward.Count > 0 && !Send(AttachFrames.Encode(AttachFrameKind.Stdin, [.. forward]))) return;
                if (!detach) continue;
                _detached = true;
                // Wakes ReadOutput with an end of file.
                UnixSockets.Shutdown(connection);
                return;
            }
        }

        public void SendSize()
        {
            if ((Pty.GetSize(0) ?? Pty.GetSize(1)) is { } size) Send(AttachFrames.Resize(size));
        }

        public bool Send(byte[] frame)
        {
            lock (_write)
            {
                if (_closed) return false;
                try
                {
                    FileDescriptors.WriteAll(connection, frame);
                    return true;
                }
                catch (SyscallException)
                {
                    return false;
                }
            }
        }

        public void Dispose()
        {
            lock (_write)
            {
                _closed = true;
                FileDescriptors.Close(connection);
            }
        }
    }
}
