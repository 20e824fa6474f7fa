using Skiff.Runtime.Oci;

namespace Skiff.Cli.Runc;

/// <summary>
/// runc's command line as urfave/cli parses it: flags before the positional arguments, "--name
/// value", "--name=value" or one dash, booleans without a value, repeatable flags collected in order.
/// Everything after the first positional argument is positional (exec's command keeps its own flags).
/// </summary>
public sealed class RuncArguments
{
    private readonly Dictionary<string, List<string>> _values = [];
    private readonly HashSet<string> _set = [];

    public List<string> Positional { get; } = [];

    /// <param name="valued">flag names (and aliases, "name|n") that take a value.</param>
    /// <param name="switches">flag names that are booleans.</param>
    public static RuncArguments Parse(IReadOnlyList<string> args, string verb, string[] valued, string[] switches)
    {
        var parsed = new RuncArguments();
        var names = new Dictionary<string, (string Canonical, bool TakesValue)>();
        foreach (var (list, takesValue) in new[] { (valued, true), (switches, false) })
            foreach (var spec in list)
            {
                var aliases = spec.Split('|');
                foreach (var alias in aliases) names[alias] = (aliases[0], takesValue);
            }
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (parsed.Positional.Count > 0 || arg == "-" || !arg.StartsWith('-'))
            {
                parsed.Positional.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                parsed.Positional.AddRange(args.Skip(i + 1));
                break;
            }
            var body = arg.TrimStart('-');
            string? inline = null;
            if (body.IndexOf('=') is var eq and > 0) (body, inline) = (body[..eq], body[(eq + 1)..]);
            if (!names.TryGetValue(body, out var flag))
                throw new OciException($"{verb}: unknown flag {arg}: see \"skiff-runc {verb} --help\"");
            if (!flag.TakesValue)
            {
                if (inline is null || inline is "true") parsed._set.Add(flag.Canonical);
                continue;
            }
            var value = inline ?? (i + 1 < args.Count ? args[++i] : throw new OciException($"{verb}: flag {arg} needs a value"));
            if (!parsed._values.TryGetValue(flag.Canonical, out var values)) parsed._values[flag.Canonical] = values = [];
            values.Add(value);
        }
        return parsed;
    }

    public bool Has(string name) => _set.Contains(name);

    public string? Value(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var v) ? v : [];

    /// <summary>--preserve-fds N: how many descriptors from 3 up go to the container's process as they are.</summary>
    public int PreservedFds(string verb)
    {
        if (Value("preserve-fds") is not { } text) return 0;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) && count <= 65536
            ? count
            : throw new OciException($"{verb}: --preserve-fds {text} is not a number of descriptors: pass how many descriptors from 3 up the process receives");
    }

    /// <summary>The container id: the first positional argument, which every verb but list, spec and features needs.</summary>
    public string Id(string verb) =>
        Positional.Count > 0 ? Positional[0] : throw new OciException($"{verb}: missing the container id: skiff-runc {verb} [flags] <container-id>");
}
