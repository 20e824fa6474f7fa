using System.Text.Json.Serialization;

namespace Skiff.Network.Cluster;

// The shapes of etcd's v3 JSON gateway (grpc-gateway): keys and values are base64, int64 fields
// are strings on the way out and accepted as strings on the way in.

public sealed record EtcdKeyValue
{
    [JsonPropertyName("key")] public string Key { get; init; } = "";
    [JsonPropertyName("value")] public string? Value { get; init; }
    [JsonPropertyName("lease")] public string? Lease { get; init; }
    [JsonPropertyName("mod_revision")] public string? ModRevision { get; init; }
}

public sealed record EtcdHeader
{
    [JsonPropertyName("revision")] public string? Revision { get; init; }
}

public sealed record EtcdRangeRequest(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("range_end")] string? RangeEnd);

public sealed record EtcdRangeResponse
{
    [JsonPropertyName("header")] public EtcdHeader? Header { get; init; }
    [JsonPropertyName("kvs")] public List<EtcdKeyValue>? Kvs { get; init; }
}

public sealed record EtcdPutRequest(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("lease")] string? Lease);

public sealed record EtcdDeleteRequest(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("range_end")] string? RangeEnd);

public sealed record EtcdCompare(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("result")] string Result,
    [property: JsonPropertyName("create_revision")] string? CreateRevision);

public sealed record EtcdRequestOp([property: JsonPropertyName("request_put")] EtcdPutRequest? RequestPut);

public sealed record EtcdTxnRequest(
    [property: JsonPropertyName("compare")] List<EtcdCompare> Compare,
    [property: JsonPropertyName("success")] List<EtcdRequestOp> Success);

public sealed record EtcdTxnResponse
{
    [JsonPropertyName("succeeded")] public bool Succeeded { get; init; }
}

public sealed record EtcdLeaseRequest([property: JsonPropertyName("ID")] string Id);

public sealed record EtcdGrantRequest([property: JsonPropertyName("TTL")] string Ttl);

public sealed record EtcdLeaseResponse
{
    [JsonPropertyName("ID")] public string? Id { get; init; }
    [JsonPropertyName("TTL")] public string? Ttl { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
}

public sealed record EtcdKeepAliveLine
{
    [JsonPropertyName("result")] public EtcdLeaseResponse? Result { get; init; }
    [JsonPropertyName("error")] public EtcdStreamError? Error { get; init; }
}

public sealed record EtcdWatchCreate(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("range_end")] string RangeEnd);

public sealed record EtcdWatchRequest([property: JsonPropertyName("create_request")] EtcdWatchCreate CreateRequest);

public sealed record EtcdWatchResult
{
    [JsonPropertyName("header")] public EtcdHeader? Header { get; init; }
    [JsonPropertyName("created")] public bool Created { get; init; }
    [JsonPropertyName("canceled")] public bool Canceled { get; init; }
    [JsonPropertyName("compact_revision")] public string? CompactRevision { get; init; }
    [JsonPropertyName("events")] public List<EtcdWatchEvent>? Events { get; init; }
}

public sealed record EtcdWatchEvent
{
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("kv")] public EtcdKeyValue? Kv { get; init; }
}

public sealed record EtcdWatchLine
{
    [JsonPropertyName("result")] public EtcdWatchResult? Result { get; init; }
    [JsonPropertyName("error")] public EtcdStreamError? Error { get; init; }
}

public sealed record EtcdStreamError
{
    [JsonPropertyName("message")] public string? Message { get; init; }
}

/// <summary>etcd's error body for a refused unary call.</summary>
public sealed record EtcdErrorBody
{
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EtcdRangeRequest))]
[JsonSerializable(typeof(EtcdRangeResponse))]
[JsonSerializable(typeof(EtcdPutRequest))]
[JsonSerializable(typeof(EtcdDeleteRequest))]
[JsonSerializable(typeof(EtcdTxnRequest))]
[JsonSerializable(typeof(EtcdTxnResponse))]
[JsonSerializable(typeof(EtcdLeaseRequest))]
[JsonSerializable(typeof(EtcdGrantRequest))]
[JsonSerializable(typeof(EtcdLeaseResponse))]
[JsonSerializable(typeof(EtcdKeepAliveLine))]
[JsonSerializable(typeof(EtcdWatchRequest))]
[JsonSerializable(typeof(EtcdWatchLine))]
[JsonSerializable(typeof(EtcdErrorBody))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
public sealed partial class EtcdJsonContext : JsonSerializerContext;
