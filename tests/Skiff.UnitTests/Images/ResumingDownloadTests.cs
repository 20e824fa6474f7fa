using System.Net;
using System.Net.Http.Headers;
using Skiff.Images;
using Skiff.Images.Registry;

namespace Skiff.UnitTests.Images;

/// <summary>How a blob download survives a body that breaks off, with the registry's answers scripted.
/// The real thing, a connection cut between Skiff and docker-registry, is in the integration tests.</summary>
public sealed class ResumingDownloadTests
{
    private static readonly byte[] Blob = [.. Enumerable.Range(0, 100).Select(i => (byte)i)];

    /// <summary>Delivers its bytes, then fails the way a dropped connection does.</summary>
    private sealed class BreakingStream(byte[] data, int breakAt) : ForwardReadStream
    {
        private int _position;

        public override int Read(Span<byte> buffer)
        {
            if (_position >= breakAt)
                throw new IOException("connection reset by peer");
            var n = Math.Min(buffer.Length, breakAt - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, byte[] body, int breakAt, long? rangeFrom = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StreamContent(new BreakingStream(body, breakAt)) };
        if (rangeFrom is { } from)
            response.Content.Headers.ContentRange = new ContentRangeHeaderValue(from, Blob.Length - 1, Blob.Length);
        return response;
    }

    private static (byte[] Read, List<long> Offsets) Download(Func<long, int, HttpResponseMessage> answer)
    {
        var offsets = new List<long>();
        using var stream = new ResumingBlobStream(offset =>
        {
            offsets.Add(offset);
            return answer(offset, offsets.Count);
        }, Blob.Length, null, "blob x");
        using var output = new MemoryStream();
        stream.CopyTo(output, 16);
        return (output.ToArray(), offsets);
    }

    [Fact]
    public void A_broken_body_is_resumed_from_the_first_byte_not_yet_read()
    {
        var (read, offsets) = Download((offset, attempt) => attempt == 1
            ? Answer(HttpStatusCode.OK, Blob, breakAt: 40)
            : Answer(HttpStatusCode.PartialContent, Blob[(int)offset..], Blob.Length - (int)offset, rangeFrom: offset));

        Assert.Equal(Blob, read);
        Assert.Equal([0L, 40L], offsets);
    }

    [Fact]
    public void A_registry_that_ignores_range_is_read_again_from_the_start()
    {
        var (read, offsets) = Download((_, attempt) => Answer(HttpStatusCode.OK, Blob, breakAt: attempt == 1 ? 40 : Blob.Length));

        Assert.Equal(Blob, read);
        Assert.Equal([0L, 40L], offsets);
    }

    [Fact]
    public void A_download_that_keeps_breaking_without_progress_gives_up_saying_where()
    {
        var error = Assert.Throws<RegistryException>(() => Download((offset, attempt) => attempt == 1
            ? Answer(HttpStatusCode.OK, Blob, breakAt: 40)
            : Answer(HttpStatusCode.PartialContent, [], 0, rangeFrom: offset)));

        Assert.Contains("broke off at byte 40 of 100", error.Message);
        Assert.Contains("connection reset by peer", error.Message);
    }

    [Fact]
    public void A_range_answer_that_starts_elsewhere_is_refused()
    {
        var error = Assert.Throws<RegistryException>(() => Download((_, attempt) => attempt == 1
            ? Answer(HttpStatusCode.OK, Blob, breakAt: 40)
            : Answer(HttpStatusCode.PartialContent, Blob, Blob.Length, rangeFrom: 0)));

        Assert.Contains("asked for bytes from 40 on", error.Message);
    }
}
