using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Skiff.Engine.Build.Dockerfile;

/// <summary>
/// Dockerfile text to instructions, by BuildKit's rules: parser directives (<c># escape=`</c>,
/// <c># syntax=…</c>) only before anything else; comment lines dropped, also between continued
/// lines; a line ending in the escape token goes on with the next one (whose leading blanks stay);
/// <c>--flag=value</c> words first; a JSON array of strings is the exec form, anything else the
/// shell form; heredocs (<c>&lt;&lt;EOF</c>, <c>&lt;&lt;-EOF</c>, quoted names not expanded) for RUN.
/// </summary>
public static partial class DockerfileParser
{
    private static readonly HashSet<string> Keywords =
    [
        "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
        "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
    ];

    // Instructions whose flags are read; others take "--" words as their arguments (RUN's own flags
    // such as --mount are read too, and refused later by name if unsupported).
    private static readonly HashSet<string> WithFlags = ["FROM", "RUN", "COPY", "ADD", "HEALTHCHECK"];

    // JSON arrays are the exec form for these; for the others "[" is just text.
    private static readonly HashSet<string> JsonForms = ["RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"];

    [GeneratedRegex(@"^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$")]
    private static partial Regex Directive();

    [GeneratedRegex(@"<<(-?)(?:""([^""\s]+)""|'([^'\s]+)'|([A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex HeredocMarker();

    public static DockerfileDocument Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var (escape, syntax, first) = Directives(lines);
        var instructions = new List<Instruction>();
        var i = first;
        while (i < lines.Length)
        {
            var line = lines[i].TrimStart(' ', '\t');
            var startLine = i + 1;
            i++;
            if (line.Length == 0 || line[0] == '#')
                continue;
            var joined = new StringBuilder();
            var (piece, continues) = TrimContinuation(line, escape);
            joined.Append(piece);
            while (continues && i < lines.Length)
            {
                var next = lines[i++];
                var trimmed = next.TrimStart(' ', '\t');
                if (trimmed.StartsWith('#') || trimmed.Length == 0)
                    continue;
                (piece, continues) = TrimContinuation(next, escape);
                joined.Append(piece);
            }
            var instruction = Build(joined.ToString(), startLine, lines, ref i);
            if (instruction is not null)
                instructions.Add(instruction);
        }
        return new DockerfileDocument(escape, syntax, instructions);
    }

    private static (char Escape, string? Syntax, int FirstLine) Directives(string[] lines)
    {
        var escape = '\\';
        string? syntax = null;
        var seen = new HashSet<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var match = Directive().Match(lines[i].Trim());
            if (!match.Success)
                return (escape, syntax, i);
            var name = match.Groups[1].Value.ToLowerInvariant();
            var value = match.Groups[2].Value;
            if (name is not ("escape" or "syntax" or "check"))
                return (escape, syntax, i);
            if (!seen.Add(name))
                throw new DockerfileException($"Dockerfile line {i + 1}: only one {name} parser directive can be used");
            if (name == "escape")
            {
                if (value is not ("\\" or "`"))
                    throw new DockerfileException($"Dockerfile line {i + 1}: invalid escape token '{value}': use \\ or `");
                escape = value[0];
            }
            else if (name == "syntax")
                syntax = value;
        }
        return (escape, syntax, lines.Length);
    }

    private static (string Text, bool Continues) TrimContinuation(string line, char escape)
    {
        var end = line.TrimEnd(' ', '\t');
        return end.EndsWith(escape) ? (end[..^1], true) : (line, false);
    }

    private static Instruction? Build(string line, int lineNumber, string[] lines, ref int next)
    {
        line = line.Trim();
        if (line.Length == 0)
            return null;
        var space = line.IndexOfAny([' ', '\t']);
        var keyword = (space < 0 ? line : line[..space]).ToUpperInvariant();
        var rest = space < 0 ? "" : line[(space + 1)..].TrimStart(' ', '\t');
        if (!Keywords.Contains(keyword))
            throw new DockerfileException($"Dockerfile line {lineNumber}: unknown instruction: {(space < 0 ? line : line[..space])}");
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (WithFlags.Contains(keyword))
            rest = ReadFlags(rest, flags, keyword, lineNumber);
        var heredocs = keyword == "RUN" ? ReadHeredocs(rest, lines, ref next, lineNumber) : [];
        var exec = heredocs.Count == 0 && JsonForms.Contains(keyword) ? TryJsonArray(rest) : null;
        return new Instruction(keyword, flags, rest.TrimEnd(), exec, heredocs, line, lineNumber);
    }

    private static string ReadFlags(string rest, Dictionary<string, string> flags, string keyword, int lineNumber)
    {
        while (rest.StartsWith("--", StringComparison.Ordinal))
        {
            var end = rest.IndexOfAny([' ', '\t']);
            var word = end < 0 ? rest : rest[..end];
            rest = end < 0 ? "" : rest[end..].TrimStart(' ', '\t');
            if (word == "--")
                break;
            var eq = word.IndexOf('=');
            var name = eq < 0 ? word[2..] : word[2..eq];
            var value = eq < 0 ? "true" : word[(eq + 1)..];
            if (!flags.TryAdd(name, value))
                throw new DockerfileException($"Dockerfile line {lineNumber}: {keyword} has --{name} twice");
        }
        return rest;
    }

    private static List<Heredoc> ReadHeredocs(string rest, string[] lines, ref int next, int lineNumber)
    {
        var heredocs = new List<Heredoc>();
        foreach (Match marker in HeredocMarker().Matches(rest))
        {
            var stripTabs = marker.Groups[1].Value == "-";
            var quoted = !marker.Groups[4].Success;
            var name = marker.Groups[2].Success ? marker.Groups[2].Value : marker.Groups[3].Success ? marker.Groups[3].Value : marker.Groups[4].Value;
            var body = new StringBuilder();
            var closed = false;
            while (next < lines.Length)
            {
                var text = lines[next++];
                if (stripTabs)
                    text = text.TrimStart('\t');
                if (text == name)
                {
                    closed = true;
                    break;
                }
                body.Append(text).Append('\n');
            }
            if (!closed)
                throw new DockerfileException($"Dockerfile line {lineNumber}: the heredoc <<{name} is never closed: end it with a line holding only {name}");
            heredocs.Add(new Heredoc(name, body.ToString(), Expand: !quoted));
        }
        return heredocs;
    }

    private static string[]? TryJsonArray(string text)
    {
        if (!text.StartsWith('['))
            return null;
        try
        {
            return JsonSerializer.Deserialize(text, BuildJsonContext.Default.StringArray);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
