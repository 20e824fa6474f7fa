namespace Skiff.Cli.Templates;

/// <summary>A template's text and where its offsets fall, for Go's LINE:COL in messages.</summary>
public sealed class TemplateSource(string name, string text)
{
    public readonly record struct Location(int Line, int Column);

    public string Name { get; } = name;
    public string Text { get; } = text;

    /// <summary>Go counts lines from 1 and columns from 0 (the byte offset within the line).</summary>
    public Location LocationOf(int offset)
    {
        var lineStart = offset == 0 ? 0 : Text.LastIndexOf('\n', offset - 1) + 1;
        var line = 1 + Text.AsSpan(0, offset).Count('\n');
        return new Location(line, offset - lineStart);
    }

    public TemplateParseException ParseError(int offset, string what) => new(Name, LocationOf(offset).Line, what);
}
