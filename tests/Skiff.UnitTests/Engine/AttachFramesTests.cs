using Skiff.Engine.Monitor;
using Skiff.Linux;

namespace Skiff.UnitTests.Engine;

public sealed class AttachFramesTests
{
    [Fact]
    public void Frames_survive_being_cut_anywhere()
    {
        byte[] stream = [.. AttachFrames.Encode(AttachFrameKind.Stdout, "hello"u8), .. AttachFrames.Resize(new WindowSize(33, 101)), .. AttachFrames.Exit(137)];
        for (var cut = 0; cut <= stream.Length; cut++)
        {
            var decoder = new AttachFrames.Decoder();
            var seen = new List<string>();
            foreach (var part in new[] { stream[..cut], stream[cut..] })
            {
                decoder.Append(part);
                while (decoder.TryNext(out var kind, out var payload))
                    seen.Add(kind switch
                    {
                        AttachFrameKind.Stdout => "out " + System.Text.Encoding.ASCII.GetString(payload),
                        AttachFrameKind.Resize => "size " + AttachFrames.ReadSize(payload),
                        AttachFrameKind.Exit => "exit " + AttachFrames.ReadNumber(payload),
                        _ => kind.ToString(),
                    });
            }
            Assert.Equal(["out hello", "size WindowSize { Rows = 33, Columns = 101 }", "exit 137"], seen);
        }
    }

    [Fact]
    public void A_peer_that_is_not_speaking_the_protocol_is_refused()
    {
        var decoder = new AttachFrames.Decoder();
        decoder.Append("GET / HTTP/1.1\r\n"u8);
        Assert.Throws<InvalidDataException>(() => decoder.TryNext(out _, out _));
    }

    [Fact]
    public void Payloads_larger_than_the_buffer_are_reassembled()
    {
        var big = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();
        var decoder = new AttachFrames.Decoder();
        var frame = AttachFrames.Encode(AttachFrameKind.Stdin, big);
        for (var i = 0; i < frame.Length; i += 30_000) decoder.Append(frame.AsSpan(i, Math.Min(30_000, frame.Length - i)));
        Assert.True(decoder.TryNext(out var kind, out var payload));
        Assert.Equal(AttachFrameKind.Stdin, kind);
        Assert.True(payload.SequenceEqual(big));
    }
}
