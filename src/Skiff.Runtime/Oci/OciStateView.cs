using System.Text.Json.Serialization;

namespace Skiff.Runtime.Oci;

/// <summary>The state JSON that <c>runc state</c> prints and hooks read on their stdin (runtime spec "State").</summary>
public sealed record OciStateView
{
    public string OciVersion { get; init; } = "1.0.2-dev";
    public required string Id { get; init; }
    public int Pid { get; init; }
    public required string Status { get; init; }
    public required string Bundle { get; init; }
    public string Rootfs { get; init; } = "";
    public DateTime Created { get; init; }
    public string Owner { get; init; } = "";
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Annotations { get; init; }
}
