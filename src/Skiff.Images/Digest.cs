using System.Text.Json;
using System.Text.Json.Serialization;
using Skiff.Linux;

namespace Skiff.Images;

/// <summary>A content digest, "sha256:" followed by 64 lowercase hex digits. Digests become file
/// and directory names, so anything else is refused at parse time rather than checked by callers.</summary>
[JsonConverter(typeof(DigestJsonConverter))]
public readonly record struct Digest
{
    public const string Sha256Prefix = "sha256:";

    /// <summary>The 64 lowercase hex digits, without the algorithm prefix.</summary>
    public string Hex { get; }

    private Digest(string hex) => Hex = hex;

    public static Digest Parse(string value) =>
        TryParse(value, out var digest)
            ? digest
            : throw new InvalidInputException($"invalid digest '{value}': expected sha256:<64 lowercase hex digits>");

    public static bool TryParse(string? value, out Digest digest)
    {
        digest = default;
        if (value is null || value.Length != Sha256Prefix.Length + 64 || !value.StartsWith(Sha256Prefix, StringComparison.Ordinal))
            return false;
        var hex = value[Sha256Prefix.Length..];
        if (!IsLowerHex(hex))
            return false;
        digest = new Digest(hex);
        return true;
    }

    public static Digest FromSha256(ReadOnlySpan<byte> hash) =>
        hash.Length == 32
            ? new Digest(Convert.ToHexStringLower(hash))
            : throw new ArgumentException($"a SHA-256 hash is 32 bytes, got {hash.Length}", nameof(hash));

    public static Digest Compute(ReadOnlySpan<byte> content) => FromSha256(System.Security.Cryptography.SHA256.HashData(content));

    internal static bool IsLowerHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
                return false;
        return true;
    }

    public override string ToString() => Hex is null ? "" : Sha256Prefix + Hex;
}

public sealed class DigestJsonConverter : JsonConverter<Digest>
{
    public override Digest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return Digest.TryParse(text, out var digest) ? digest : throw new JsonException($"invalid digest '{text}'");
    }

    public override void Write(Utf8JsonWriter writer, Digest value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
