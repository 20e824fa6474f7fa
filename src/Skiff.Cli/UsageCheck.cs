using System.CommandLine;

namespace Skiff.Cli;

/// <summary>A mistyped verb or flag, in the docker client's words, with the verb's usage line.</summary>
public sealed record UsageProblem(string Message, string CommandPath, string Usage, int ExitCode)
{
    /// <summary>What the docker client prints to stderr for it.</summary>
    public string Text => $"{Message}\n\nUsage:  {Usage}\n\nRun '{CommandPath} --help' for more information";
}

/// <summary>
/// Finds the typos the parser would otherwise misread: System.CommandLine takes an unknown
/// <c>--rmm</c> before the image for the image itself, and an unknown verb for a missing one.
/// The docker client names the unknown flag or command instead, and so do we, before anything runs.
/// </summary>
public static class UsageCheck
{
    private const string Program = "skiff";
    private static readonly string[] HelpNames = ["--help", "-h", "-?"];

    public static UsageProblem? Find(RootCommand root, string[] args)
    {
        Command verb = root;
        var path = Program;
        var i = 0;
        for (; i < args.Length && !args[i].StartsWith('-'); i++)
        {
            if (verb.Subcommands.FirstOrDefault(c => c.Name == args[i] || c.Aliases.Contains(args[i])) is not { } sub)
            {
                if (verb.Subcommands.Count == 0) break;
                return new UsageProblem($"{Program}: unknown command: {path} {args[i]}", path, Usage(verb, path), 1);
            }
            verb = sub;
            path += " " + sub.Name;
        }
        var stopsAtFirstArgument = PositionalSplitter.EndsWithCommand(verb);
        for (; i < args.Length; i++)
        {
            var token = args[i];
            if (token == "--") return null;
            if (!token.StartsWith('-') || token == "-")
            {
                if (stopsAtFirstArgument) return null;
                continue;
            }
            if (Unknown(verb, root, token) is { } message) return new UsageProblem(message, path, Usage(verb, path), ExitCodes.EngineError);
            if (PositionalSplitter.TakesSeparateValue(verb, token)) i++;
        }
        return null;
    }

    /// <summary>The docker client's message for a flag token the verb doesn't know, or null.</summary>
    private static string? Unknown(Command verb, RootCommand root, string token)
    {
        if (token.StartsWith("--", StringComparison.Ordinal))
        {
            var name = token.Split('=', 2)[0];
            return Known(verb, root, name) ? null : $"unknown flag: {name}";
        }
        for (var c = 1; c < token.Length; c++)
        {
            var name = "-" + token[c];
            if (!Known(verb, root, name)) return $"unknown shorthand flag: '{token[c]}' in {token}";
            // A value option takes the rest of the bundle ("-m64m", "-p8080:80").
            if (PositionalSplitter.TakesValue(PositionalSplitter.Find(verb, name))) return null;
        }
        return null;
    }

    private static bool Known(Command verb, RootCommand root, string name) =>
        HelpNames.Contains(name) || PositionalSplitter.Find(verb, name) is not null || PositionalSplitter.Find(root, name) is not null;

    /// <summary>Docker's usage line: <c>skiff run [OPTIONS] IMAGE [COMMAND] [ARG...]</c>.</summary>
    public static string Usage(Command verb, string path)
    {
        if (verb.Subcommands.Count > 0 && verb.Arguments.Count == 0) return path == Program ? $"{Program} [OPTIONS] COMMAND" : path;
        var parts = new List<string> { path };
        if (verb.Options.Count > 0) parts.Add("[OPTIONS]");
        foreach (var argument in verb.Arguments)
        {
            var optional = argument.Arity.MinimumNumberOfValues == 0;
            var many = argument.Arity.MaximumNumberOfValues > 1;
            // Docker names a repeated argument in the singular: CONTAINER [CONTAINER...].
            var name = (many && argument.Name.EndsWith('s') ? argument.Name[..^1] : argument.Name).ToUpperInvariant();
            if (argument.Name == PositionalSplitter.CommandArgument)
                parts.Add(optional ? "[COMMAND] [ARG...]" : "COMMAND [ARG...]");
            else if (many)
                parts.Add(optional ? $"[{name}...]" : $"{name} [{name}...]");
            else
                parts.Add(optional ? $"[{name}]" : name);
        }
        return string.Join(' ', parts);
    }
}
