using System.Text.RegularExpressions;
using Skiff.Linux;

namespace Skiff.Images;

/// <summary>An image name as Docker normalises it: "busybox", "busybox:latest" and
/// "docker.io/library/busybox:latest" are the same image. <see cref="Familiar"/> is the short form
/// Skiff stores and prints.</summary>
public sealed partial record ImageReference(string Domain, string Path, string? Tag, Digest? Digest)
{
    public const string DefaultDomain = "docker.io";
    public const string DefaultTag = "latest";
    private const string OfficialPrefix = "library/";

    /// <summary>"busybox:latest", "ghcr.io/org/app:1.0", "alpine@sha256:…" (no tag is added when a
    /// digest pins the image).</summary>
    public string Familiar => FamiliarName + Suffix;

    /// <summary>"docker.io/library/busybox:latest": the name a registry is asked for.</summary>
    public string FullyQualified => $"{Domain}/{Path}{Suffix}";

    /// <summary>The repository in its short form, without tag or digest: "busybox", "ghcr.io/org/app".</summary>
    public string FamiliarName =>
        Domain == DefaultDomain
            ? Path.StartsWith(OfficialPrefix, StringComparison.Ordinal) && Path.IndexOf('/', OfficialPrefix.Length) < 0
                ? Path[OfficialPrefix.Length..]
                : Path
            : $"{Domain}/{Path}";

    private string Suffix => (Tag is null ? "" : ":" + Tag) + (Digest is { } d ? "@" + d : "");

    public override string ToString() => Familiar;

    public static ImageReference Parse(string reference) =>
        TryParse(reference, out var parsed, out var error)
            ? parsed
            : throw new InvalidInputException($"invalid image reference '{reference}': {error}");

    public static bool TryParse(string reference, out ImageReference parsed) => TryParse(reference, out parsed, out _);

    internal static bool TryParse(string reference, out ImageReference parsed, out string error)
    {
        parsed = null!;
        if (string.IsNullOrEmpty(reference) || reference.Length > 255 + 128 + 72)
        {
            error = "empty or too long";
            return false;
        }

        var rest = reference;
        Digest? digest = null;
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            if (!Images.Digest.TryParse(rest[(at + 1)..], out var d))
            {
                error = "the part after '@' is not a sha256 digest";
                return false;
            }
            digest = d;
            rest = rest[..at];
        }

        // A ':' after the last '/' starts the tag; one before it is a registry port.
        string? tag = null;
        var colon = rest.LastIndexOf(':');
        if (colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!TagPattern().IsMatch(tag))
            {
                error = $"invalid tag '{tag}'";
                return false;
            }
        }

        var domain = DefaultDomain;
        var slash = rest.IndexOf('/');
        if (slash >= 0)
        {
            var first = rest[..slash];
            // Docker's rule: the first component is a registry only if it looks like a host.
            if (first.Contains('.') || first.Contains(':') || first == "localhost" || first.Any(char.IsAsciiLetterUpper))
            {
                if (!DomainPattern().IsMatch(first))
                {
                    error = $"invalid registry '{first}'";
                    return false;
                }
                domain = first == "index.docker.io" ? DefaultDomain : first;
                rest = rest[(slash + 1)..];
            }
        }

        if (rest.Any(char.IsAsciiLetterUpper))
        {
            error = "repository name must be lowercase";
            return false;
        }
        if (!PathPattern().IsMatch(rest))
        {
            error = $"invalid repository name '{rest}'";
            return false;
        }
        if (domain == DefaultDomain && !rest.Contains('/'))
            rest = OfficialPrefix + rest;

        parsed = new ImageReference(domain, rest, tag ?? (digest is null ? DefaultTag : null), digest);
        error = "";
        return true;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex PathPattern();

    [GeneratedRegex(@"^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*(?::[0-9]+)?$")]
    private static partial Regex DomainPattern();
}
