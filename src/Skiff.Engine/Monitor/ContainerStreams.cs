using Skiff.Engine.Logs;
using Skiff.Linux;
using Skiff.Runtime;

namespace Skiff.Engine.Monitor;

/// <summary>
/// A running container's stdio, on the monitor's one thread: its output goes to the json-file log
/// and to every attached client, the clients' input goes to its stdin (a pipe, or the pty), and
/// their window sizes to its pty. One poll loop serves it all, so that a monitor nobody is attached
/// to holds no thread besides its main one, and a slow or stuck attacher never holds up the log:
/// what it cannot take is queued, up to a limit past which it is cut off.
/// </summary>
internal sealed class ContainerStreams
{
    private const int MaxQueued = 4 * 1024 * 1024;
    private readonly List<Output> _outputs;
    private readonly int _listener;
    private readonly OwnedFd? _console;
    private readonly bool _stdinOnce;
    private readonly List<Client> _clients = [];
    private readonly Outbox _stdinQueue = new();
    private OwnedFd? _stdin;
    private bool _stdinEnding;
    private readonly byte[] _buffer = new byte[32 * 1024];
    private RunningContainer? _running;

    /// <param name="outputs">the container's stdout and stderr (or its pty), each with its log stream.</param>
    /// <param name="outputs">owned from here on, as are <paramref name="stdin"/>, <paramref name="console"/> and <paramref name="first"/> (one pty may fill all three roles).</param>
    /// <param name="stdin">where input goes (the pty, or a pipe we close when stdin-once input ends); null without -i.</param>
    /// <param name="console">the pty, for window sizes; null without -t.</param>
    /// <param name="first">a client that connected before the program started (start -a), so it misses nothing.</param>
    public ContainerStreams(JsonFileLog log, IEnumerable<(OwnedFd Fd, AttachFrameKind Kind)> outputs, OwnedFd? stdin, OwnedFd? console, bool stdinOnce, int listener, OwnedFd? first)
    {
        _outputs = outputs.Select(o => new Output(o.Fd, o.Kind, log.LinesOf(o.Kind == AttachFrameKind.Stderr ? "stderr" : "stdout"))).ToList();
        _outputs.ForEach(o => FileDescriptors.SetNonBlocking(o.Fd.Value));
        _stdin = stdin;
        if (stdin is not null) FileDescriptors.SetNonBlocking(stdin.Value);
        _console = console;
        _stdinOnce = stdinOnce;
        _listener = listener;
        if (first is { } fd) _clients.Add(new Client(fd));
    }

    /// <summary>Serves everything until the program has exited and its output is all read.</summary>
    public void Run(RunningContainer running)
    {
        _running = running;
        OwnedFd? exited = null;
        try
        {
            exited = new OwnedFd(ProcessControl.OpenPidFd(running.Pid));
        }
        catch (SyscallException e) when (e.Errno == Errno.ESRCH)
        {
            // Already gone and reaped: there is only its remaining output to read.
        }
        try
        {
            var fds = new List<PollFd>();
            while (exited is not null || _outputs.Count > 0)
            {
                fds.Clear();
                _outputs.ForEach(o => fds.Add(new PollFd(o.Fd.Value, PollFd.In)));
                if (exited is not null) fds.Add(new PollFd(exited.Value, PollFd.In));
                AddClients(fds);
                Poll.Wait(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(fds));
                var ready = fds.Where(f => f.Revents != 0).Select(f => f.Fd).ToHashSet();
                foreach (var output in _outputs.Where(o => ready.Contains(o.Fd.Value)).ToList()) ReadOutput(output);
                if (exited is not null && ready.Contains(exited.Value))
                {
                    exited.Dispose();
                    exited = null;
                }
                ServeClients(fds);
                // Last, so that no descriptor closed above is reused while this round's results are read.
                if (ready.Contains(_listener))
                    while (UnixSockets.Accept(_listener) is { } fd) _clients.Add(new Client(new OwnedFd(fd)));
            }
        }
        finally
        {
            exited?.Dispose();
            _outputs.ForEach(o => o.Fd.Dispose());
        }
    }

    /// <summary>Tells every client the exit code (recorded by now), gives them a moment to take what is queued, and lets them go.</summary>
    public void Finish(int exitCode)
    {
        if (!ReferenceEquals(_stdin, _console)) _stdin?.Dispose();
        _console?.Dispose();
        _clients.ForEach(c => c.Queue.Add(AttachFrames.Exit(exitCode)));
        var fds = new PollFd[1];
        foreach (var client in _clients)
        {
            // A client that takes nothing for a while is not worth holding the next run (or the monitor's end) for.
            while (client.Queue.Count > 0 && Flush(client.Fd.Value, client.Queue))
            {
                fds[0] = new PollFd(client.Fd.Value, PollFd.Out);
                if (Poll.Wait(fds, 2000) == 0) break;
            }
            client.Fd.Dispose();
        }
        _clients.Clear();
    }

    private void AddClients(List<PollFd> fds)
    {
        fds.Add(new PollFd(_listener, PollFd.In));
        // Input waits in the clients' sockets while the container's stdin is full.
        var takeInput = _stdinQueue.Count == 0;
        if (!takeInput && _stdin is not null) fds.Add(new PollFd(_stdin.Value, PollFd.Out));
        foreach (var c in _clients)
            fds.Add(new PollFd(c.Fd.Value, (short)((takeInput ? PollFd.In : 0) | (c.Queue.Count > 0 ? PollFd.Out : 0))));
    }

    private void ServeClients(List<PollFd> fds)
    {
        foreach (var f in fds)
        {
            if (f.Revents == 0 || f.Fd == _listener) continue;
            if (_stdin is not null && f.Fd == _stdin.Value && _clients.All(c => c.Fd.Value != f.Fd))
            {
                FlushStdin();
            }
            else if (_clients.Find(c => c.Fd.Value == f.Fd) is { } client)
            {
                var alive = (f.Revents & PollFd.In) == 0 || ReadClient(client);
                alive = alive && ((f.Revents & PollFd.Out) == 0 || Flush(client.Fd.Value, client.Queue));
                alive = alive && (f.Revents & (PollFd.Err | PollFd.Hup | PollFd.Nval)) == 0;
                if (!alive) Drop(client);
            }
        }
    }

    private void ReadOutput(Output output)
    {
        var n = FileDescriptors.TryRead(output.Fd.Value, _buffer);
        if (n < 0) return;
        if (n == 0)
        {
            output.Lines.Flush();
            _outputs.Remove(output);
            // The pty is closed after the clients are told the exit: a last resize may still arrive.
            if (!ReferenceEquals(output.Fd, _console)) output.Fd.Dispose();
            return;
        }
        var data = _buffer.AsSpan(0, n);
        output.Lines.Append(data);
        if (_clients.Count == 0) return;
        var frame = AttachFrames.Encode(output.Kind, data);
        foreach (var client in _clients.ToList())
        {
            client.Queue.Add(frame);
            if (client.Queue.Count > MaxQueued || !Flush(client.Fd.Value, client.Queue)) Drop(client);
        }
    }

    /// <returns>false when the client is gone.</returns>
    private bool ReadClient(Client client)
    {
        int n;
        try
        {
            n = FileDescriptors.TryRead(client.Fd.Value, _buffer);
        }
        catch (SyscallException)
        {
            return false;
        }
        if (n < 0) return true;
        if (n == 0) return false;
        try
        {
            client.Frames.Append(_buffer.AsSpan(0, n));
            while (client.Frames.TryNext(out var kind, out var payload))
            {
                switch (kind)
                {
                    case AttachFrameKind.Stdin when _stdin is not null:
                        _stdinQueue.Add(payload.ToArray());
                        FlushStdin();
                        break;
                    case AttachFrameKind.StdinClosed when _stdinOnce && !ReferenceEquals(_stdin, _console):
                        _stdinEnding = true;
                        FlushStdin();
                        break;
                    case AttachFrameKind.Resize when _console is { } console && payload.Length == 4:
                        Pty.SetSize(console.Value, AttachFrames.ReadSize(payload));
                        break;
                    case AttachFrameKind.Signal when payload.Length == 4 && AttachFrames.ReadNumber(payload) is > 0 and <= 64 and var signal:
                        _running?.Signal(signal);
                        break;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or SyscallException)
        {
            return false;
        }
        return true;
    }

    private void FlushStdin()
    {
        if (_stdin is null) return;
        var open = Flush(_stdin.Value, _stdinQueue);
        if (open && !(_stdinEnding && _stdinQueue.Count == 0)) return;
        // The input ended (stdin-once), or nobody reads the container's stdin any more.
        _stdinQueue.Clear();
        if (!ReferenceEquals(_stdin, _console)) _stdin.Dispose();
        _stdin = null;
    }

    /// <returns>false when the descriptor is broken (its reader gone).</returns>
    private static bool Flush(int fd, Outbox queue)
    {
        try
        {
            while (queue.Count > 0)
            {
                var n = FileDescriptors.TryWrite(fd, queue.Head);
                if (n == 0) return true;
                queue.Taken(n);
            }
            return true;
        }
        catch (SyscallException)
        {
            return false;
        }
    }

    private void Drop(Client client)
    {
        _clients.Remove(client);
        client.Fd.Dispose();
    }

    private sealed record Output(OwnedFd Fd, AttachFrameKind Kind, JsonFileLog.Lines Lines);

    private sealed class Client(OwnedFd fd)
    {
        public OwnedFd Fd { get; } = fd;
        public AttachFrames.Decoder Frames { get; } = new();
        public Outbox Queue { get; } = new();
    }

    /// <summary>Bytes waiting for a descriptor that would not take them yet.</summary>
    private sealed class Outbox
    {
        private readonly Queue<byte[]> _chunks = new();
        private int _offset;

        public int Count { get; private set; }
        public ReadOnlySpan<byte> Head => _chunks.Peek().AsSpan(_offset);

        public void Add(byte[] chunk)
        {
            _chunks.Enqueue(chunk);
            Count += chunk.Length;
        }

        public void Taken(int n)
        {
            Count -= n;
            _offset += n;
            if (_offset < _chunks.Peek().Length) return;
            _chunks.Dequeue();
            _offset = 0;
        }

        public void Clear()
        {
            _chunks.Clear();
            (_offset, Count) = (0, 0);
        }
    }
}
