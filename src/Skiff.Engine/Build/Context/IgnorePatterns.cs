using System.Text;
using System.Text.RegularExpressions;

namespace Skiff.Engine.Build.Context;

/// <summary>
/// A <c>.dockerignore</c> file by moby/patternmatcher's rules: one pattern a line, blank lines and
/// <c>#</c> lines skipped, <c>!</c> re-includes, patterns cleaned like paths (a leading <c>/</c>
/// dropped). <c>*</c> and <c>?</c> never cross a <c>/</c>, <c>**</c> spans any number of directories,
/// <c>[…]</c> is a character class, <c>\</c> makes the next character plain. A path is excluded when
/// the last pattern that matches it or one of its parent directories is not a <c>!</c> one.
/// </summary>
public sealed class IgnorePatterns
{
    private readonly IReadOnlyList<(Regex Pattern, bool Exclusion)> _patterns;

    private IgnorePatterns(IReadOnlyList<(Regex, bool)> patterns) => _patterns = patterns;

    public static readonly IgnorePatterns None = new([]);

    public bool HasExclusions => _patterns.Any(p => p.Exclusion);

    public static IgnorePatterns Parse(string text)
    {
        var patterns = new List<(Regex, bool)>();
        foreach (var rawLine in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var exclusion = line.StartsWith('!');
            if (exclusion)
                line = line[1..].Trim();
            if (line.Length == 0)
                throw new ArgumentException("a .dockerignore line holds only '!': write the pattern to re-include after it");
            var cleaned = CleanPath(line);
            if (cleaned.Length > 1 && cleaned[0] == '/')
                cleaned = cleaned.TrimStart('/');
            patterns.Add((Compile(cleaned), exclusion));
        }
        return new IgnorePatterns(patterns);
    }

    /// <summary>Whether <paramref name="path"/> (relative to the context, '/'-separated) is left out.</summary>
    public bool Excludes(string path)
    {
        var matched = false;
        var parents = ParentsOf(path);
        foreach (var (pattern, exclusion) in _patterns)
        {
            // An inclusion cannot change a path already excluded, nor an exclusion one not yet excluded.
            if (exclusion != matched)
                continue;
            if (pattern.IsMatch(path) || parents.Any(pattern.IsMatch))
                matched = !exclusion;
        }
        return matched;
    }

    private static List<string> ParentsOf(string path)
    {
        var parents = new List<string>();
        for (var slash = path.IndexOf('/'); slash >= 0; slash = path.IndexOf('/', slash + 1))
            parents.Add(path[..slash]);
        return parents;
    }

    /// <summary>Go's filepath.Clean on a '/'-separated path: no empty, "." or resolvable ".." parts.</summary>
    public static string CleanPath(string path)
    {
        var rooted = path.StartsWith('/');
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
                continue;
            if (part == ".." && parts.Count > 0 && parts[^1] != "..")
                parts.RemoveAt(parts.Count - 1);
            else if (part != ".." || !rooted)
                parts.Add(part);
        }
        var joined = string.Join('/', parts);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    /// <summary>The pattern as a regular expression over the whole path; also used for COPY's wildcards
    /// (Go's filepath.Match, where <c>**</c> is no more than <c>*</c>) when <paramref name="doubleStar"/> is false.</summary>
    public static Regex Compile(string pattern, bool doubleStar = true)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*')
            {
                if (doubleStar && i + 1 < pattern.Length && pattern[i + 1] == '*')
                {
                    i++;
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                        i++;
                    regex.Append(i + 1 >= pattern.Length ? ".*" : "(.*/)?");
                }
                else
                {
                    while (i + 1 < pattern.Length && pattern[i + 1] == '*')
                        i++;
                    regex.Append("[^/]*");
                }
            }
            else if (c == '?')
                regex.Append("[^/]");
            else if (c == '\\')
                regex.Append(i + 1 < pattern.Length ? Regex.Escape(pattern[++i].ToString()) : @"\\");
            else if (c == '[')
                i = CharacterClass(pattern, i, regex);
            else
                regex.Append(Regex.Escape(c.ToString()));
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    // "[a-z]", "[^x]" or Go's "[!x]"; an unclosed '[' is refused as filepath.Match refuses it.
    private static int CharacterClass(string pattern, int open, StringBuilder regex)
    {
        var close = pattern.IndexOf(']', open + 2);
        if (close < 0)
            throw new ArgumentException($"invalid pattern '{pattern}': '[' is never closed with ']'");
        var body = pattern[(open + 1)..close];
        var negate = body.StartsWith('^') || body.StartsWith('!');
        if (negate)
            body = body[1..];
        regex.Append('[');
        if (negate)
            regex.Append('^');
        foreach (var ch in body)
            regex.Append(ch is '\\' or '[' or ']' or '^' ? "\\" + ch : ch.ToString());
        regex.Append(']');
        return close;
    }

    /// <summary>Whether the pattern text has anything Go's filepath.Match treats as a wildcard.</summary>
    public static bool HasWildcards(string pattern) => pattern.IndexOfAny(['*', '?', '[', '\\']) >= 0;
}
