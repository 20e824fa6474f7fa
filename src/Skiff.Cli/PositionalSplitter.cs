using System.CommandLine;

namespace Skiff.Cli;

/// <summary>
/// Docker stops reading its own options at the image (or container) name: in
/// <c>skiff run busybox ls -l</c> the <c>-l</c> belongs to ls. For verbs whose last argument is
/// <c>command</c>, this finds that first positional token and puts "--" after it.
/// </summary>
public static class PositionalSplitter
{
    public const string CommandArgument = "command";

    public static string[] Prepare(RootCommand root, string[] args)
    {
        if (args.Length == 0) return args;
        var verb = root.Subcommands.FirstOrDefault(c => c.Name == args[0] || c.Aliases.Contains(args[0]));
        if (verb is null || !EndsWithCommand(verb)) return args;

        for (var i = 1; i < args.Length; i++)
        {
            var token = args[i];
            if (token == "--") return args;
            if (!token.StartsWith('-') || token == "-")
                return [.. args[..(i + 1)], "--", .. args[(i + 1)..]];
            if (TakesSeparateValue(verb, token)) i++;
        }
        return args;
    }

    /// <summary>Whether the verb's arguments end in a program's command line, whose flags are not ours.</summary>
    public static bool EndsWithCommand(Command verb) => verb.Arguments.LastOrDefault()?.Name == CommandArgument;

    /// <summary>Whether an option token is followed by its value as the next token.</summary>
    public static bool TakesSeparateValue(Command verb, string token)
    {
        if (token.Contains('=')) return false;
        if (token.StartsWith("--", StringComparison.Ordinal)) return TakesValue(Find(verb, token));
        // A bundle of short options ("-it", "-dp"): a value option inside it takes the rest of the
        // bundle, or the next token when it comes last.
        for (var c = 1; c < token.Length; c++)
        {
            if (!TakesValue(Find(verb, "-" + token[c]))) continue;
            return c == token.Length - 1;
        }
        return false;
    }

    public static Option? Find(Command verb, string name) =>
        verb.Options.FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name));

    public static bool TakesValue(Option? option) =>
        option is not null && option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool);
}
