namespace Skiff.Cli;

/// <summary>
/// Docker's <c>--label KEY[=VALUE]</c> and <c>--label-file FILE</c> (one label a line; blank lines
/// and # comments skipped): the files first, then the flags, a later key winning.
/// </summary>
public static class LabelList
{
    public static Dictionary<string, string> Collect(IEnumerable<string> labelFiles, IEnumerable<string> labelFlags)
    {
        var labels = new Dictionary<string, string>();
        foreach (var file in labelFiles)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"label file {file} not found");
            foreach (var line in File.ReadLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
                Add(labels, line);
        }
        foreach (var flag in labelFlags) Add(labels, flag);
        return labels;
    }

    private static void Add(Dictionary<string, string> labels, string entry)
    {
        var (key, value) = entry.Split('=', 2) is [var k, var v] ? (k, v) : (entry, "");
        if (key.Length == 0) throw new Skiff.Linux.InvalidInputException($"invalid label \"{entry}\": a label is KEY or KEY=VALUE");
        labels[key] = value;
    }
}
