using System.Net;

namespace Skiff.Images.Registry;

/// <summary>
/// A blob as the registry sends it, read once from start to end, that survives a dropped connection:
/// when the body breaks off before the descriptor's size, the rest is asked for with a Range request
/// from the first byte not yet passed on, so a 1 GB layer cut at 900 MB costs 100 MB more, not 1 GB.
/// A registry that ignores Range answers 200 with the whole blob: that is a restart, and the bytes
/// already passed on are read past. The reader hashes everything it gets, so the digest covers the
/// whole blob however many requests it took. At most <see cref="Length"/> bytes are passed on, so a
/// registry that sends more than it declared cannot fill the disk.
/// </summary>
internal sealed class ResumingBlobStream(Func<long, HttpResponseMessage> open, long length, Action<long>? progress, string what)
    : ForwardReadStream
{
    // Reads in a row that fail, the one that broke off included, before the download is given up.
    private const int MaxFruitlessAttempts = 3;
    private HttpResponseMessage? _response;
    private Stream? _body;
    private long _position;
    private int _fruitless;

    public override long Length => length;

    public override int Read(Span<byte> buffer)
    {
        while (_position < length)
        {
            Exception failure;
            try
            {
                _body ??= OpenAt(_position);
                var read = _body.Read(buffer[..(int)Math.Min(buffer.Length, length - _position)]);
                if (read > 0)
                {
                    _position += read;
                    _fruitless = 0;
                    progress?.Invoke(_position);
                    return read;
                }
                failure = new IOException("the connection closed early");
            }
            catch (Exception e) when (e is IOException or HttpRequestException or RegistryUnreachableException)
            {
                failure = e;
            }
            CloseBody();
            if (++_fruitless >= MaxFruitlessAttempts)
                throw new RegistryException(
                    $"{what}: the download broke off at byte {_position} of {length}, and {MaxFruitlessAttempts} tries in a row brought nothing more: {failure.Message}");
        }
        return 0;
    }

    private Stream OpenAt(long offset)
    {
        _response = open(offset);
        var body = _response.Content.ReadAsStream();
        if (offset == 0)
            return body;
        if (_response.StatusCode == HttpStatusCode.PartialContent)
        {
            if (_response.Content.Headers.ContentRange?.From != offset)
                throw new RegistryException(
                    $"{what}: asked for bytes from {offset} on, the registry sent range '{_response.Content.Headers.ContentRange}'");
            return body;
        }
        // A whole blob again: read past what was already passed on.
        var skip = new byte[1 << 16];
        for (var left = offset; left > 0;)
        {
            var read = body.Read(skip, 0, (int)Math.Min(skip.Length, left));
            if (read == 0)
                throw new IOException($"the restarted download ended at byte {offset - left}");
            left -= read;
        }
        return body;
    }

    private void CloseBody()
    {
        _body?.Dispose();
        _body = null;
        _response?.Dispose();
        _response = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            CloseBody();
        base.Dispose(disposing);
    }
}
