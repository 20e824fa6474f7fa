using Skiff.Linux;

namespace Skiff.Runtime.Start;

/// <summary>
/// How one message crosses a pipe between the runtime and init, in either direction: a tag byte
/// naming the message, a 4-byte little-endian payload length, the payload. Encoded and decoded
/// only here, so neither side splits text apart.
/// </summary>
internal static class ChannelFrame
{
    /// <summary>Larger than any spec; a length beyond it means the stream is not a channel's.</summary>
    public const int MaxPayload = 64 << 20;

    public static byte[] Encode(byte tag, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = tag;
        BitConverter.TryWriteBytes(frame.AsSpan(1, 4), payload.Length);
        payload.CopyTo(frame.AsSpan(5));
        return frame;
    }

    public static void Write(OwnedFd fd, byte tag, ReadOnlySpan<byte> payload) => FileDescriptors.WriteAll(fd.Value, Encode(tag, payload));

    /// <summary>The next frame; null when the other side closed its end between frames.</summary>
    public static (byte Tag, byte[] Payload)? Read(OwnedFd fd)
    {
        Span<byte> header = stackalloc byte[5];
        var got = ReadUpTo(fd, header);
        if (got == 0) return null;
        if (got < header.Length) throw new InitChannelException("the channel ended in the middle of a message header");
        var length = BitConverter.ToInt32(header[1..]);
        if (length is < 0 or > MaxPayload) throw new InitChannelException($"a message claims {length} bytes, which no message of the channel has");
        var payload = new byte[length];
        if (ReadUpTo(fd, payload) < length) throw new InitChannelException("the channel ended in the middle of a message");
        return (header[0], payload);
    }

    private static int ReadUpTo(OwnedFd fd, Span<byte> buffer)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = FileDescriptors.Read(fd.Value, buffer[done..]);
            if (n == 0) break;
            done += n;
        }
        return done;
    }
}
