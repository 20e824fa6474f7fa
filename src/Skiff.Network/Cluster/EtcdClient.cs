using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Skiff.Network.Cluster;

/// <summary>
/// etcd v3 through its JSON gateway (<c>/v3/kv/*</c>, <c>/v3/lease/*</c>, <c>/v3/watch</c>) over
/// plain HttpClient. Chosen over the dotnet-etcd package: that one drags in gRPC and protobuf
/// (Grpc.Net.Client, Google.Protobuf), whose reflection-based descriptors are large in a native
/// executable, while these few calls need nothing beyond System.Text.Json's source generator and
/// the HttpClient the registry client already links. etcd 3.4 (Debian's) serves the gateway on its
/// client URL.
/// </summary>
public sealed class EtcdClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _endpoint;

    public EtcdClient(Uri endpoint, TimeSpan? timeout = null)
    {
        _endpoint = endpoint;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = timeout ?? TimeSpan.FromSeconds(5) };
    }

    public Uri Endpoint => _endpoint;

    /// <summary>Parses an --etcd URL; anything but http(s)://HOST:PORT is refused by name.</summary>
    public static Uri ParseEndpoint(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/"
            ? uri : throw new Linux.InvalidInputException($"--etcd {text}: give etcd's client URL as http://HOST:PORT");

    public sealed record Entry(string Key, byte[] Value, long Lease);

    /// <summary>One key, or every key under a prefix; with the store's revision at the time of reading.</summary>
    public async Task<(long Revision, IReadOnlyList<Entry> Entries)> RangeAsync(string key, bool prefix, CancellationToken cancel = default)
    {
        var response = await CallAsync("/v3/kv/range", new EtcdRangeRequest(B64(key), prefix ? B64(PrefixEnd(key)) : null),
            EtcdJsonContext.Default.EtcdRangeRequest, EtcdJsonContext.Default.EtcdRangeResponse, cancel);
        var entries = (response.Kvs ?? []).Select(kv => new Entry(Encoding.UTF8.GetString(Convert.FromBase64String(kv.Key)),
            kv.Value is null ? [] : Convert.FromBase64String(kv.Value), Int64(kv.Lease))).ToList();
        return (Int64(response.Header?.Revision), entries);
    }

    public Task PutAsync(string key, byte[] value, long lease = 0, CancellationToken cancel = default) =>
        CallAsync("/v3/kv/put", Put(key, value, lease), EtcdJsonContext.Default.EtcdPutRequest, EtcdJsonContext.Default.JsonElement, cancel);

    /// <summary>Writes the key only if it does not exist yet (a transaction on its create revision): false when another writer holds it.</summary>
    public async Task<bool> CreateAsync(string key, byte[] value, long lease = 0, CancellationToken cancel = default)
    {
        var txn = new EtcdTxnRequest([new EtcdCompare(B64(key), "CREATE", "EQUAL", "0")], [new EtcdRequestOp(Put(key, value, lease))]);
        return (await CallAsync("/v3/kv/txn", txn, EtcdJsonContext.Default.EtcdTxnRequest, EtcdJsonContext.Default.EtcdTxnResponse, cancel)).Succeeded;
    }

    public Task DeleteAsync(string key, CancellationToken cancel = default) =>
        CallAsync("/v3/kv/deleterange", new EtcdDeleteRequest(B64(key), null), EtcdJsonContext.Default.EtcdDeleteRequest, EtcdJsonContext.Default.JsonElement, cancel);

    /// <summary>A new lease that ends <paramref name="ttlSeconds"/> after its last renewal.</summary>
    public async Task<long> GrantAsync(long ttlSeconds, CancellationToken cancel = default) =>
        Int64((await CallAsync("/v3/lease/grant", new EtcdGrantRequest(ttlSeconds.ToString(CultureInfo.InvariantCulture)),
            EtcdJsonContext.Default.EtcdGrantRequest, EtcdJsonContext.Default.EtcdLeaseResponse, cancel)).Id);

    /// <summary>Renews a lease once; the TTL it has again, 0 when the lease is gone.</summary>
    public async Task<long> KeepAliveAsync(long lease, CancellationToken cancel = default)
    {
        // The gateway maps the bidirectional stream onto one request: the body is the one message
        // sent, the answer one JSON object per line.
        using var response = await SendAsync("/v3/lease/keepalive", new EtcdLeaseRequest(Id(lease)), EtcdJsonContext.Default.EtcdLeaseRequest, cancel);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel));
        var line = await reader.ReadLineAsync(cancel) ?? throw new EtcdException("etcd closed the keep-alive stream without an answer");
        var parsed = JsonSerializer.Deserialize(line, EtcdJsonContext.Default.EtcdKeepAliveLine);
        if (parsed?.Error is { } error) throw new EtcdException($"etcd refused the keep-alive: {error.Message}");
        return Int64(parsed?.Result?.Ttl);
    }

    /// <summary>Seconds left on a lease, 0 (or less) when it is gone.</summary>
    public async Task<long> TimeToLiveAsync(long lease, CancellationToken cancel = default) =>
        Int64((await CallAsync("/v3/lease/timetolive", new EtcdLeaseRequest(Id(lease)),
            EtcdJsonContext.Default.EtcdLeaseRequest, EtcdJsonContext.Default.EtcdLeaseResponse, cancel)).Ttl);

    public Task RevokeAsync(long lease, CancellationToken cancel = default) =>
        CallAsync("/v3/lease/revoke", new EtcdLeaseRequest(Id(lease)), EtcdJsonContext.Default.EtcdLeaseRequest, EtcdJsonContext.Default.JsonElement, cancel);

    /// <summary>
    /// Watches every key under a prefix, calling <paramref name="onChange"/> once the watch is in
    /// place and after each batch of events, until the stream ends (etcd restarted, the connection
    /// dropped) or is cancelled. The caller reads everything again on each call, so nothing that
    /// changed between a read and the watch's start is missed.
    /// </summary>
    public async Task WatchAsync(string prefix, Action onChange, CancellationToken cancel)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
        var create = new EtcdWatchRequest(new EtcdWatchCreate(B64(prefix), B64(PrefixEnd(prefix))));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_endpoint, "/v3/watch"))
        {
            Content = JsonContent(create, EtcdJsonContext.Default.EtcdWatchRequest),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel));
        while (await reader.ReadLineAsync(cancel) is { } line)
        {
            if (line.Length == 0) continue;
            var parsed = JsonSerializer.Deserialize(line, EtcdJsonContext.Default.EtcdWatchLine);
            if (parsed?.Error is { } error) throw new EtcdException($"etcd ended the watch: {error.Message}");
            if (parsed?.Result is not { } result) continue;
            if (result.Canceled) throw new EtcdException($"etcd cancelled the watch (compacted at revision {result.CompactRevision})");
            if (result.Created || result.Events is { Count: > 0 }) onChange();
        }
    }

    private async Task<TResponse> CallAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType, CancellationToken cancel)
    {
        using var response = await SendAsync(path, body, requestType, cancel);
        var text = await response.Content.ReadAsStringAsync(cancel);
        return JsonSerializer.Deserialize(text, responseType) ?? throw new EtcdException($"etcd answered {path} with nothing");
    }

    private async Task<HttpResponseMessage> SendAsync<TRequest>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, CancellationToken cancel)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsync(new Uri(_endpoint, path), JsonContent(body, requestType), cancel);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
        {
            throw new EtcdException($"etcd at {_endpoint} cannot be reached ({e.Message}): check the --etcd URL and that etcd runs");
        }
        if (response.IsSuccessStatusCode) return response;
        var text = await response.Content.ReadAsStringAsync(cancel);
        response.Dispose();
        throw new EtcdException($"etcd refused {path}: {ErrorText(text)}");
    }

    private static string ErrorText(string body)
    {
        try
        {
            var error = JsonSerializer.Deserialize(body, EtcdJsonContext.Default.EtcdErrorBody);
            return error?.Message ?? error?.Error ?? body.Trim();
        }
        catch (JsonException)
        {
            return body.Trim();
        }
    }

    private static StringContent JsonContent<T>(T body, JsonTypeInfo<T> type) =>
        new(JsonSerializer.Serialize(body, type), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    private static EtcdPutRequest Put(string key, byte[] value, long lease) =>
        new(B64(key), Convert.ToBase64String(value), lease == 0 ? null : Id(lease));

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Id(long lease) => lease.ToString(CultureInfo.InvariantCulture);

    private static long Int64(string? text) => text is null ? 0 : long.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>The key just past every key that starts with <paramref name="prefix"/> (its last byte plus one).</summary>
    public static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    public void Dispose() => _http.Dispose();
}

/// <summary>etcd could not be reached, or refused a call: the message names which and what to check.</summary>
public sealed class EtcdException(string message) : Linux.SkiffException(message);

/// <summary>A cluster step that cannot be taken as things are (not joined, joined already, a subnet taken): the message says what to do.</summary>
public sealed class ClusterException(string message) : Linux.SkiffException(message);
