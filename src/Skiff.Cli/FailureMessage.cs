using System.Text.RegularExpressions;
using Skiff.Linux;

namespace Skiff.Cli;

/// <summary>
/// The one sentence a failure prints. A <see cref="SkiffException"/> was written for the user and is
/// printed as it is; anything else is a bug, said as one "internal error" line that never carries a
/// stack trace. The native build drops the runtime's message texts (UseSystemResourceKeys), so such
/// an exception's message may be a key like "IO_FileNotFound_FileName, /x": that is no sentence, so
/// the line names the kind of failure, its arguments and the Skiff operation it broke instead.
/// </summary>
public static partial class FailureMessage
{
    public const string DebugHint = "run with --debug for details";

    public static (int ExitCode, string Message) Of(Exception e) => e switch
    {
        SkiffException s => (s.ExitCode, OneLine(s.Message)),
        _ => (SkiffException.EngineError, $"internal error: {Describe(e)}; {DebugHint}"),
    };

    private static string Describe(Exception e)
    {
        var key = ResourceKey().Match(e.Message);
        if (!key.Success) return OneLine(e.Message);
        var arguments = e.Message[key.Length..].TrimStart(',', ' ');
        var operation = Operation(e);
        return Kind(e) + (arguments.Length > 0 ? $" ({OneLine(arguments)})" : "") + (operation is null ? "" : $" in {operation}");
    }

    /// <summary>"FileNotFoundException" → "file not found", "IOException" → "I/O error".</summary>
    private static string Kind(Exception e)
    {
        var name = e.GetType().Name;
        if (name == nameof(IOException)) return "I/O error";
        if (name.EndsWith("Exception", StringComparison.Ordinal)) name = name[..^"Exception".Length];
        var words = Words().Matches(name).Select(m => m.Value.All(char.IsUpper) ? m.Value : m.Value.ToLowerInvariant());
        return string.Join(' ', words) is { Length: > 0 } kind ? kind : "exception";
    }

    /// <summary>The innermost Skiff method on the stack: what Skiff was doing when the runtime threw.</summary>
    private static string? Operation(Exception e) =>
        (e.StackTrace ?? "").Split('\n')
            .Select(line => Frame().Match(line))
            .Where(m => m.Success)
            .Select(m => m.Groups["method"].Value)
            .Where(method => method.StartsWith("Skiff.", StringComparison.Ordinal))
            .Select(method => CompilerNames().Replace(method, "${name}").Replace("..ctor", " constructor"))
            .FirstOrDefault();

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    // A resource key: identifier words joined by underscores, then nothing or ", " and the arguments.
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)+(?=$|,)")]
    private static partial Regex ResourceKey();

    [GeneratedRegex(@"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")]
    private static partial Regex Words();

    [GeneratedRegex(@"^\s*at (?<method>[^(\s]+)")]
    private static partial Regex Frame();

    // A lambda's or iterator's generated names ("<>c.<Build>b__7_0", "<>c__DisplayClass3_0.") say the method it is in.
    [GeneratedRegex(@"<>c(__DisplayClass[0-9_]+)?\.|<(?<name>[^>]*)>[a-z]__[0-9_]+")]
    private static partial Regex CompilerNames();
}
