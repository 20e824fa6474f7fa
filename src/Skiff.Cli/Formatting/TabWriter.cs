namespace Skiff.Cli.Formatting;

/// <summary>
/// Aligns tab-separated cells as Go's text/tabwriter does with the settings of Docker's tables
/// (minimum width 10, padding 3, spaces): a cell ended by a tab is padded to its column's width,
/// the last cell of a line is not.
/// </summary>
public static class TabWriter
{
    private const int MinWidth = 10, Padding = 3;

    public static void Write(TextWriter output, string text)
    {
        var lines = text.Split('\n');
        if (lines[^1].Length == 0) lines = lines[..^1];
        var cells = lines.Select(l => l.Split('\t')).ToList();
        var widths = new List<int>();
        foreach (var line in cells)
            for (var i = 0; i < line.Length - 1; i++)
            {
                var width = Math.Max(MinWidth, Width(line[i]) + Padding);
                if (i == widths.Count) widths.Add(width);
                else widths[i] = Math.Max(widths[i], width);
            }
        foreach (var line in cells)
        {
            for (var i = 0; i < line.Length - 1; i++) output.Write(line[i] + new string(' ', widths[i] - Width(line[i])));
            output.Write(line[^1]);
            output.Write('\n');
        }
    }

    /// <summary>Go counts a cell's width in runes.</summary>
    private static int Width(string cell) => cell.EnumerateRunes().Count();
}
