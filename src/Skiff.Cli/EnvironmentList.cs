using Skiff.Linux;

namespace Skiff.Cli;

/// <summary>Docker's -e and --env-file: KEY=VALUE as given, a bare KEY copied from this environment (dropped when unset).</summary>
public static class EnvironmentList
{
    public static List<string> Collect(IEnumerable<string> envFiles, IEnumerable<string> envFlags)
    {
        var result = new List<string>();
        foreach (var file in envFiles)
        {
            if (!File.Exists(file)) throw new InvalidInputException($"env file {file} not found");
            result.AddRange(File.ReadLines(file)
                .Select(l => l.Trim())
                .Where(l => l.Length > 0 && !l.StartsWith('#'))
                .SelectMany(Expand));
        }
        result.AddRange(envFlags.SelectMany(Expand));
        return result;
    }

    private static IEnumerable<string> Expand(string entry)
    {
        if (entry.StartsWith('=')) throw new InvalidInputException($"invalid environment variable: \"{entry}\"");
        if (entry.Contains('=')) return [entry];
        return Environment.GetEnvironmentVariable(entry) is { } value ? [$"{entry}={value}"] : [];
    }
}
