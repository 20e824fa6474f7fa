namespace Skiff.Engine.Build.Dockerfile;

/// <summary>A heredoc body given to an instruction (<c>RUN &lt;&lt;EOF</c>): its terminator word, its
/// text (lines joined by newlines, ending in one) and whether variables in it are expanded.</summary>
public sealed record Heredoc(string Name, string Content, bool Expand);

/// <summary>
/// One Dockerfile instruction as written: the keyword (upper case), its <c>--flag=value</c> options,
/// and its arguments, either the shell form's text or the exec form's JSON array. Nothing is
/// expanded yet: variables are resolved by the builder with the ARG and ENV values of that point.
/// </summary>
/// <param name="Original">The instruction as the Dockerfile spells it, continuations joined, for messages and history.</param>
/// <param name="Line">Where it starts, counted from 1.</param>
public sealed record Instruction(
    string Keyword,
    IReadOnlyDictionary<string, string> Flags,
    string Text,
    IReadOnlyList<string>? ExecForm,
    IReadOnlyList<Heredoc> Heredocs,
    string Original,
    int Line)
{
    public bool IsExecForm => ExecForm is not null;

    public string? Flag(string name) => Flags.TryGetValue(name, out var value) ? value : null;
}

/// <summary>A Dockerfile that parsed: its parser directives, and its instructions in order.</summary>
public sealed record DockerfileDocument(char EscapeToken, string? Syntax, IReadOnlyList<Instruction> Instructions);

/// <summary>A Dockerfile that cannot be built as written; the message names the line and the fix.</summary>
public sealed class DockerfileException(string message) : Skiff.Linux.SkiffException(message);
