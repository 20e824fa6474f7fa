using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Skiff.IntegrationTests.Images;

/// <summary>A TCP proxy on 127.0.0.1 in front of a local registry that, once, closes the connection
/// after <c>cutAfter</c> bytes have gone to the client in all (a dropped download, as a flaky link
/// makes one), and counts what it passed. With <c>hideRange</c> it renames requests' Range header so
/// the registry never sees it, as a registry that ignores Range would behave.</summary>
public sealed class CuttingProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly long _cutAfter;
    private readonly bool _hideRange;
    private readonly List<Socket> _sockets = [];
    private readonly Lock _lock = new();
    private long _toClient;
    private bool _cut;

    public CuttingProxy(int upstreamPort, long cutAfter, bool hideRange)
    {
        (_upstreamPort, _cutAfter, _hideRange) = (upstreamPort, cutAfter, hideRange);
        _listener.Start();
        new Thread(Accept) { IsBackground = true }.Start();
    }

    /// <summary>"127.0.0.1:PORT", the domain part of image names pulled through the proxy.</summary>
    public string Host => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public long BytesToClient => Interlocked.Read(ref _toClient);

    public bool WasCut { get { lock (_lock) return _cut; } }

    private readonly List<string> _ranges = [];

    /// <summary>The Range headers of the requests that passed, as the client sent them.</summary>
    public string[] RangeRequests { get { lock (_lock) return [.. _ranges]; } }

    private void Accept()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = _listener.AcceptSocket();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            upstream.Connect(IPAddress.Loopback, _upstreamPort);
            lock (_lock)
                _sockets.AddRange([client, upstream]);
            new Thread(() => Pump(client, upstream, toClient: false)) { IsBackground = true }.Start();
            new Thread(() => Pump(upstream, client, toClient: true)) { IsBackground = true }.Start();
        }
    }

    private void Pump(Socket from, Socket to, bool toClient)
    {
        var buffer = new byte[64 << 10];
        try
        {
            int read;
            while ((read = from.Receive(buffer)) > 0)
            {
                var send = read;
                var cutNow = false;
                if (toClient)
                {
                    lock (_lock)
                    {
                        if (!_cut && _toClient + read >= _cutAfter)
                        {
                            send = (int)(_cutAfter - _toClient);
                            _cut = cutNow = true;
                        }
                    }
                }
                else
                {
                    Requests(buffer.AsSpan(0, read));
                }
                to.Send(buffer, send, SocketFlags.None);
                Interlocked.Add(ref _toClient, toClient ? send : 0);
                if (cutNow)
                {
                    // A clean close: the client reads every byte sent, then finds the body short.
                    to.Shutdown(SocketShutdown.Both);
                    to.Close();
                    from.Close();
                    return;
                }
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The other direction closed the pair.
        }
    }

    /// <summary>Notes Range headers and, with hideRange, renames them to a header of the same length
    /// that nobody reads. A request head arrives whole on loopback.</summary>
    private void Requests(Span<byte> data)
    {
        var text = Encoding.Latin1.GetString(data);
        for (var at = text.IndexOf("\r\nRange: ", StringComparison.Ordinal); at >= 0; at = text.IndexOf("\r\nRange: ", at + 1, StringComparison.Ordinal))
        {
            var end = text.IndexOf("\r\n", at + 2, StringComparison.Ordinal);
            lock (_lock)
                _ranges.Add(text[(at + 2)..end]);
            if (_hideRange)
                data[at + 2] = (byte)'X';
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        lock (_lock)
            foreach (var socket in _sockets)
                socket.Dispose();
    }
}
