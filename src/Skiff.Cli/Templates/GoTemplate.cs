namespace Skiff.Cli.Templates;

/// <summary>
/// A Go text/template, as Docker's <c>--format</c> takes it, over the JSON documents Skiff prints.
/// Parsed once (errors as Go words them), then executed once per object.
/// </summary>
public sealed class GoTemplate
{
    private readonly TemplateSource _source;
    private readonly List<TemplateNode> _nodes;

    private GoTemplate(TemplateSource source, List<TemplateNode> nodes)
    {
        _source = source;
        _nodes = nodes;
    }

    /// <exception cref="TemplateParseException">the text is not a valid template.</exception>
    public static GoTemplate Parse(string text, string name = "")
    {
        var source = new TemplateSource(name, text);
        return new GoTemplate(source, TemplateParser.Parse(source));
    }

    /// <exception cref="TemplateExecutionException">the template failed on this value.</exception>
    public void Execute(TextWriter output, object? data, string? rootTypeName = null) =>
        new TemplateExecutor(_source, output, data, rootTypeName).Run(_nodes);

    public string Render(object? data, string? rootTypeName = null)
    {
        var output = new StringWriter();
        Execute(output, data, rootTypeName);
        return output.ToString();
    }
}
