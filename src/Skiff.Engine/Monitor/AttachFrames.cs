using System.Buffers.Binary;
using Skiff.Linux;

namespace Skiff.Engine.Monitor;

public enum AttachFrameKind : byte { Stdin = 0, Stdout = 1, Stderr = 2, StdinClosed = 3, Resize = 4, Exit = 5, Signal = 6 }

/// <summary>
/// What travels on a container's attach socket (<c>attach.sock</c> in its directory, served by its
/// monitor): frames of a kind byte, a big-endian length and the payload. The monitor sends output
/// and, once the exit is recorded, the exit code; a client sends input, the end of its input, its
/// window size and the signals it proxies (sent by the monitor, the program's parent, so that a
/// reused pid can never receive them).
/// </summary>
public static class AttachFrames
{
    private const int HeaderSize = 5;

    public static string SocketPath(SkiffPaths paths, string id) => Path.Join(paths.Container(id), "attach.sock");

    public static byte[] Encode(AttachFrameKind kind, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[HeaderSize + payload.Length];
        frame[0] = (byte)kind;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), payload.Length);
        payload.CopyTo(frame.AsSpan(HeaderSize));
        return frame;
    }

    public static byte[] Resize(WindowSize size)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(payload, size.Rows);
        BinaryPrimitives.WriteUInt16BigEndian(payload[2..], size.Columns);
        return Encode(AttachFrameKind.Resize, payload);
    }

    public static WindowSize ReadSize(ReadOnlySpan<byte> payload) =>
        new(BinaryPrimitives.ReadUInt16BigEndian(payload), BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));

    public static byte[] Exit(int code) => Number(AttachFrameKind.Exit, code);

    public static byte[] Signal(int signal) => Number(AttachFrameKind.Signal, signal);

    private static byte[] Number(AttachFrameKind kind, int value)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, value);
        return Encode(kind, payload);
    }

    /// <summary>The number an <see cref="AttachFrameKind.Exit"/> or <see cref="AttachFrameKind.Signal"/> frame carries.</summary>
    public static int ReadNumber(ReadOnlySpan<byte> payload) => BinaryPrimitives.ReadInt32BigEndian(payload);

    /// <summary>Reassembles frames from a byte stream read in chunks of any size.</summary>
    public sealed class Decoder
    {
        // Bigger than any frame a well-behaved peer sends (its reads are 32 KiB): a peer that claims
        // more is not speaking this protocol.
        private const int MaxPayload = 1024 * 1024;
        private byte[] _buffer = new byte[64 * 1024];
        private int _start, _end;

        public void Append(ReadOnlySpan<byte> data)
        {
            if (_end + data.Length > _buffer.Length)
            {
                var kept = _end - _start;
                var grown = kept + data.Length > _buffer.Length ? new byte[Math.Max(_buffer.Length * 2, kept + data.Length)] : _buffer;
                _buffer.AsSpan(_start, kept).CopyTo(grown);
                (_buffer, _start, _end) = (grown, 0, kept);
            }
            data.CopyTo(_buffer.AsSpan(_end));
            _end += data.Length;
        }

        /// <summary>The next complete frame; its payload is valid until the next call.</summary>
        public bool TryNext(out AttachFrameKind kind, out ReadOnlySpan<byte> payload)
        {
            kind = default;
            payload = default;
            if (_end - _start < HeaderSize) return false;
            var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start + 1));
            if (length is < 0 or > MaxPayload) throw new InvalidDataException($"attach frame of {length} bytes: not an attach client");
            if (_end - _start < HeaderSize + length) return false;
            kind = (AttachFrameKind)_buffer[_start];
            payload = _buffer.AsSpan(_start + HeaderSize, length);
            _start += HeaderSize + length;
            if (_start == _end) _start = _end = 0;
            return true;
        }
    }
}
