using System.Text.Json;
using Skiff.Linux;

namespace Skiff.Images.Archives;

/// <summary>The Dockerfile instructions <c>import --change</c> accepts (CMD, ENTRYPOINT, ENV, EXPOSE,
/// LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL), applied to an image config.</summary>
public static class ConfigChanges
{
    public static OciContainerConfig Apply(OciContainerConfig config, IEnumerable<string> changes)
    {
        foreach (var change in changes)
        {
            var trimmed = change.Trim();
            var space = trimmed.IndexOfAny([' ', '\t']);
            if (space < 0)
                throw new InvalidInputException($"invalid --change '{change}': expected INSTRUCTION ARGUMENTS, e.g. CMD [\"sh\"]");
            var argument = trimmed[(space + 1)..].Trim();
            config = trimmed[..space].ToUpperInvariant() switch
            {
                "CMD" => config with { Cmd = CommandForm(argument) },
                "ENTRYPOINT" => config with { Entrypoint = CommandForm(argument) },
                "ENV" => config with { Env = MergeEnv(config.Env ?? [], Pairs(argument, change)) },
                "LABEL" => config with { Labels = Merge(config.Labels, Pairs(argument, change)) },
                "EXPOSE" => config with
                {
                    ExposedPorts = AddKeys(config.ExposedPorts, argument.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Contains('/') ? p : p + "/tcp")),
                },
                "VOLUME" => config with { Volumes = AddKeys(config.Volumes, argument.StartsWith('[') ? JsonArray(argument) : argument.Split(' ', StringSplitOptions.RemoveEmptyEntries)) },
                "USER" => config with { User = argument },
                "WORKDIR" => config with { WorkingDir = argument },
                "STOPSIGNAL" => config with { StopSignal = argument },
                var other => throw new InvalidInputException($"invalid --change '{change}': {other} is not one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL"),
            };
        }
        return config;
    }

    // The exec form is a JSON array; anything else is the shell form, run by /bin/sh -c.
    private static IReadOnlyList<string> CommandForm(string argument) =>
        argument.StartsWith('[') ? JsonArray(argument) : ["/bin/sh", "-c", argument];

    private static string[] JsonArray(string argument)
    {
        try
        {
            return JsonSerializer.Deserialize(argument, ArchiveJsonContext.Default.StringArray) ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"invalid JSON array {argument}: {e.Message}");
        }
    }

    /// <summary>"K=V K2=\"two words\"", or the legacy one-pair "K V" form.</summary>
    private static List<KeyValuePair<string, string>> Pairs(string argument, string change)
    {
        if (!argument.Split(' ', 2)[0].Contains('='))
        {
            var parts = argument.Split(' ', 2, StringSplitOptions.TrimEntries);
            return parts.Length == 2 ? [new(parts[0], parts[1])] : throw new InvalidInputException($"invalid --change '{change}': expected KEY=VALUE");
        }
        var pairs = new List<KeyValuePair<string, string>>();
        var i = 0;
        while (i < argument.Length)
        {
            while (i < argument.Length && argument[i] == ' ')
                i++;
            var eq = argument.IndexOf('=', i);
            if (eq < 0)
                break;
            var key = argument[i..eq];
            i = eq + 1;
            string value;
            if (i < argument.Length && argument[i] == '"')
            {
                var close = argument.IndexOf('"', i + 1);
                if (close < 0)
                    throw new InvalidInputException($"invalid --change '{change}': unterminated quote");
                value = argument[(i + 1)..close];
                i = close + 1;
            }
            else
            {
                var end = argument.IndexOf(' ', i);
                end = end < 0 ? argument.Length : end;
                value = argument[i..end];
                i = end;
            }
            pairs.Add(new(key, value));
        }
        return pairs;
    }

    private static List<string> MergeEnv(IReadOnlyList<string> env, List<KeyValuePair<string, string>> pairs)
    {
        var merged = env.ToList();
        foreach (var (key, value) in pairs)
        {
            merged.RemoveAll(e => e.Split('=', 2)[0] == key);
            merged.Add($"{key}={value}");
        }
        return merged;
    }

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string>? existing, List<KeyValuePair<string, string>> pairs)
    {
        var merged = existing?.ToDictionary(StringComparer.Ordinal) ?? new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
            merged[key] = value;
        return merged;
    }

    private static Dictionary<string, EmptyObject> AddKeys(IReadOnlyDictionary<string, EmptyObject>? existing, IEnumerable<string> keys)
    {
        var merged = existing?.ToDictionary(StringComparer.Ordinal) ?? new Dictionary<string, EmptyObject>(StringComparer.Ordinal);
        foreach (var key in keys)
            merged[key] = new EmptyObject();
        return merged;
    }
}
