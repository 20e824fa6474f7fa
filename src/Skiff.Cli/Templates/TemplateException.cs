namespace Skiff.Cli.Templates;

/// <summary>
/// A template that cannot be parsed or executed, with Go's text/template wording
/// (<c>template: :1: unclosed action</c>), which is what Docker users see and search for.
/// </summary>
public abstract class TemplateException(string message) : Exception(message);

/// <summary>The template's text is not a template: <c>template: NAME:LINE: WHAT</c>.</summary>
public sealed class TemplateParseException(string name, int line, string what)
    : TemplateException($"template: {name}:{line}: {what}");

/// <summary>The template failed on the data: <c>template: NAME:LINE:COL: executing "NAME" at &lt;NODE&gt;: WHAT</c>.</summary>
public sealed class TemplateExecutionException(string name, TemplateSource.Location at, string node, string what)
    : TemplateException($"template: {name}:{at.Line}:{at.Column}: executing \"{name}\" at <{node}>: {what}");
