using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Skiff.Images.Registry;

public sealed record RegistryOptions
{
    /// <summary>Domains ("host:port") reached over plain HTTP although they are not on loopback.</summary>
    public IReadOnlyCollection<string> InsecureRegistries { get; init; } = [];
    public CredentialStore? Credentials { get; init; }
    /// <summary>How many layers move at once.</summary>
    public int ParallelTransfers { get; init; } = 4;
    /// <summary>Blobs larger than this are uploaded in PATCH chunks of this size; 0 uploads every blob
    /// in one PUT (streamed either way).</summary>
    public long UploadChunkBytes { get; init; }
    /// <summary>Replaces the network; for tests.</summary>
    public HttpMessageHandler? Handler { get; init; }
}

/// <summary>A manifest as the registry sent it: the exact bytes (its digest covers them), the media
/// type from Content-Type and the digest Skiff computed itself.</summary>
public sealed record FetchedManifest(byte[] Bytes, string MediaType, Digest Digest);

/// <summary>The OCI distribution API of one registry, synchronous (SocketsHttpHandler supports it for
/// HTTP/1.1, which is what registries speak) so callers can parallelise with plain threads and stream
/// straight into the content store.</summary>
public sealed class RegistryClient : IDisposable
{
    private const long MaxManifestBytes = 4 << 20;
    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly RegistryAuthenticator _auth;
    private readonly long _chunkBytes;

    public RegistryClient(string domain, RegistryOptions options)
    {
        Domain = domain;
        _base = RegistryEndpoint.BaseUri(domain, options.InsecureRegistries);
        var handler = options.Handler ?? new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = Math.Max(options.ParallelTransfers, 2),
        };
        _http = new HttpClient(handler, disposeHandler: options.Handler is null) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("skiff/0.1");
        _auth = new RegistryAuthenticator(_http, domain, options.Credentials?.Get(domain));
        _chunkBytes = options.UploadChunkBytes;
    }

    public string Domain { get; }

    /// <summary>Checks that the registry accepts the stored credentials (what <c>skiff login</c> does).</summary>
    public void CheckLogin()
    {
        using var response = Send(() => new HttpRequestMessage(HttpMethod.Get, Url("v2/")), "");
        EnsureSuccess(response, $"log in to {Domain}");
    }

    /// <param name="reference">A tag or a digest.</param>
    public FetchedManifest GetManifest(string repository, string reference)
    {
        using var response = Send(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Url($"v2/{repository}/manifests/{reference}"));
            foreach (var type in OciMediaTypes.ManifestTypes)
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            return request;
        }, PullScope(repository));
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new RegistryException($"{Domain}/{repository}:{reference} not found: the registry has no such repository, tag or digest");
        EnsureSuccess(response, $"fetch manifest {Domain}/{repository}:{reference}");
        if (response.Content.Headers.ContentLength > MaxManifestBytes)
            throw new RegistryException($"manifest {Domain}/{repository}:{reference} is larger than {MaxManifestBytes} bytes");
        var bytes = response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        var digest = Digest.Compute(bytes);
        // A registry that names a different digest than the bytes hash to has been tampered with or is broken.
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var claimed)
            && Digest.TryParse(claimed.FirstOrDefault(), out var claimedDigest) && claimedDigest != digest)
            throw new DigestMismatchException(claimedDigest, digest);
        if (Digest.TryParse(reference, out var pinned) && pinned != digest)
            throw new DigestMismatchException(pinned, digest);
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? OciMediaTypes.ImageManifest;
        return new FetchedManifest(bytes, mediaType, digest);
    }

    /// <summary>Opens the blob for reading from <paramref name="offset"/> on (a Range request, which a
    /// registry may ignore and answer with the whole blob); the caller disposes the response. Redirects
    /// to storage are followed (and drop our Authorization header, as they must).</summary>
    public HttpResponseMessage GetBlob(string repository, Digest digest, long offset = 0)
    {
        var response = Send(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Url($"v2/{repository}/blobs/{digest}"));
            if (offset > 0)
                request.Headers.Range = new RangeHeaderValue(offset, null);
            return request;
        }, PullScope(repository));
        try
        {
            EnsureSuccess(response, $"fetch blob {digest} of {Domain}/{repository}");
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public bool BlobExists(string repository, Digest digest)
    {
        using var response = Send(() => new HttpRequestMessage(HttpMethod.Head, Url($"v2/{repository}/blobs/{digest}")), PushScope(repository));
        if (response.StatusCode == HttpStatusCode.NotFound)
            return false;
        EnsureSuccess(response, $"check blob {digest} in {Domain}/{repository}");
        return true;
    }

    /// <summary>Asks the registry to link a blob it holds in <paramref name="fromRepository"/> into
    /// <paramref name="repository"/> too (a cross-repository mount), so no byte of it is sent. Returns
    /// null once mounted; otherwise (202: the registry lacks it there, or will not mount) the upload
    /// session the registry opened instead, for <see cref="UploadBlob"/>.</summary>
    public Uri? MountBlob(string repository, Digest digest, string fromRepository)
    {
        var url = Url($"v2/{repository}/blobs/uploads/?mount={Uri.EscapeDataString(digest.ToString())}&from={Uri.EscapeDataString(fromRepository)}");
        using var response = Send(() => new HttpRequestMessage(HttpMethod.Post, url), $"{PushScope(repository)} {PullScope(fromRepository)}");
        EnsureSuccess(response, $"mount {digest} from {Domain}/{fromRepository} into {Domain}/{repository}");
        return response.StatusCode == HttpStatusCode.Created ? null : NextLocation(response);
    }

    /// <summary>Uploads a blob: POST opens a session (unless <paramref name="session"/> is one already
    /// open), then either one streamed PUT or PATCH chunks and a closing PUT. The registry verifies
    /// the digest before it commits.</summary>
    public void UploadBlob(string repository, Digest digest, long size, Func<Stream> open, Action<long>? progress, Uri? session = null)
    {
        var scope = PushScope(repository);
        var location = session ?? StartUpload(repository, digest, scope);

        if (_chunkBytes <= 0 || size <= _chunkBytes)
        {
            using var put = Send(() => new HttpRequestMessage(HttpMethod.Put, WithDigest(location, digest))
            {
                Content = OctetStream(new BoundedReadStream(open(), size, progress, leaveOpen: false), size),
            }, scope);
            EnsureSuccess(put, $"upload blob {digest} to {Domain}/{repository}");
            return;
        }

        using (var source = open())
        {
            for (long offset = 0; offset < size; offset += _chunkBytes)
            {
                var length = Math.Min(_chunkBytes, size - offset);
                var start = offset;
                using var patch = Send(() =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Patch, location)
                    {
                        Content = OctetStream(new BoundedReadStream(source, length, done => progress?.Invoke(start + done), leaveOpen: true), length),
                    };
                    // The distribution spec's Content-Range is "first-last", without HTTP's "bytes " unit.
                    request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + length - 1}");
                    return request;
                }, scope);
                EnsureSuccess(patch, $"upload chunk {start}-{start + length - 1} of {digest} to {Domain}/{repository}");
                location = NextLocation(patch);
            }
        }
        using var close = Send(() => new HttpRequestMessage(HttpMethod.Put, WithDigest(location, digest)) { Content = OctetStream(Stream.Null, 0) }, scope);
        EnsureSuccess(close, $"finish upload of {digest} to {Domain}/{repository}");
    }

    private Uri StartUpload(string repository, Digest digest, string scope)
    {
        using var start = Send(() => new HttpRequestMessage(HttpMethod.Post, Url($"v2/{repository}/blobs/uploads/")), scope);
        EnsureSuccess(start, $"start upload of {digest} to {Domain}/{repository}");
        return NextLocation(start);
    }

    /// <summary>Stores the manifest bytes exactly as given, so its digest is the local one.</summary>
    public Digest PutManifest(string repository, string reference, byte[] bytes, string mediaType)
    {
        using var response = Send(() =>
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpRequestMessage(HttpMethod.Put, Url($"v2/{repository}/manifests/{reference}")) { Content = content };
        }, PushScope(repository));
        EnsureSuccess(response, $"push manifest {Domain}/{repository}:{reference}");
        return Digest.Compute(bytes);
    }

    private static string PullScope(string repository) => $"repository:{repository}:pull";

    private static string PushScope(string repository) => $"repository:{repository}:pull,push";

    private Uri Url(string relative) => new(_base, relative);

    private Uri NextLocation(HttpResponseMessage response) =>
        response.Headers.Location is { } location
            ? new Uri(_base, location)
            : throw new RegistryException($"registry {Domain} opened an upload without a Location header");

    private static Uri WithDigest(Uri location, Digest digest) =>
        new(location + (string.IsNullOrEmpty(location.Query) ? "?" : "&") + "digest=" + Uri.EscapeDataString(digest.ToString()));

    private static StreamContent OctetStream(Stream stream, long length)
    {
        var content = new StreamContent(stream, 1 << 20);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = length;
        return content;
    }

    /// <summary>Sends with the cached authorization for the scope; on 401 answers the challenge and
    /// sends a fresh request once more (a cached token may simply have expired).</summary>
    private HttpResponseMessage Send(Func<HttpRequestMessage> makeRequest, string scope)
    {
        try
        {
            return SendAuthorized(makeRequest, scope);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryUnreachableException(Domain, e);
        }
    }

    private HttpResponseMessage SendAuthorized(Func<HttpRequestMessage> makeRequest, string scope)
    {
        using (var first = makeRequest())
        {
            first.Headers.Authorization = _auth.Cached(scope);
            var response = _http.Send(first, HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode != HttpStatusCode.Unauthorized)
                return response;
            var authorization = _auth.Authorize(response, scope);
            response.Dispose();
            using var second = makeRequest();
            second.Headers.Authorization = authorization;
            var retried = _http.Send(second, HttpCompletionOption.ResponseHeadersRead);
            if (retried.StatusCode != HttpStatusCode.Unauthorized)
                return retried;
            retried.Dispose();
            throw _auth.NeedsLogin();
        }
    }

    private void EnsureSuccess(HttpResponseMessage response, string what)
    {
        if (response.IsSuccessStatusCode)
            return;
        var detail = "";
        try
        {
            using var body = response.Content.ReadAsStream();
            var errors = JsonSerializer.Deserialize(body, RegistryJsonContext.Default.RegistryErrorBody)?.Errors;
            if (errors is { Count: > 0 })
                detail = ": " + string.Join("; ", errors.Select(e => $"{e.Code} {e.Message}".Trim()));
        }
        catch (JsonException)
        {
            // Not the spec's error body (a proxy's HTML page, say): the status says enough.
        }
        var hint = response.StatusCode == HttpStatusCode.Forbidden ? $" (denied: check `skiff login {Domain}`)" : "";
        throw new RegistryException($"{what}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}{detail}{hint}");
    }

    public void Dispose() => _http.Dispose();
}

public sealed class RegistryException(string message) : ImageException(message);

/// <summary>No HTTP answer at all (refused, unresolvable, TLS failed): the socket's own reason, which
/// the HTTP layer's message hides behind a resource key in the native build.</summary>
public sealed class RegistryUnreachableException(string domain, HttpRequestException inner)
    : ImageException($"cannot reach registry {domain}: {Innermost(inner).Message}", inner)
{
    private static Exception Innermost(Exception e) => e.InnerException is { } next ? Innermost(next) : e;
}

/// <summary>Reads at most <c>length</c> bytes of the inner stream and reports the running total: an
/// upload, or one chunk of it, sends exactly the size it declared.</summary>
internal sealed class BoundedReadStream(Stream inner, long length, Action<long>? progress, bool leaveOpen) : ForwardReadStream
{
    private long _read;

    public override int Read(Span<byte> buffer)
    {
        var remaining = length - _read;
        if (remaining <= 0)
            return 0;
        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, remaining)]);
        _read += read;
        if (read > 0)
            progress?.Invoke(_read);
        return read;
    }

    public override long Length => length;
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
