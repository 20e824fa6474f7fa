using System.Text.Json.Nodes;
using Skiff.Cli.Templates;

namespace Skiff.Cli.Formatting;

/// <summary>
/// <c>--format</c> for verbs that print documents (inspect, version): <c>json</c> for the document
/// itself, or a template over it followed by a newline. A bad template is Docker's
/// "template parsing error", whether it failed to parse or to run.
/// </summary>
public static class TemplateOutput
{
    private const string ErrorPrefix = "template parsing error";

    public static void Print(string format, string templateName, JsonNode document)
    {
        if (format == "json")
        {
            Console.WriteLine(TemplateValues.ToJson(document));
            return;
        }
        Console.WriteLine(Render(Parse(format, templateName), document));
    }

    /// <summary>The template of a --format value, where a typed <c>\t</c> or <c>\n</c> is a tab or a newline.</summary>
    public static GoTemplate Parse(string format, string templateName = "")
    {
        try
        {
            return GoTemplate.Parse(format.Replace("\\t", "\t").Replace("\\n", "\n"), templateName);
        }
        catch (TemplateParseException e)
        {
            throw new OutputFormatException($"{ErrorPrefix}: {e.Message}");
        }
    }

    public static string Render(GoTemplate template, JsonNode? document)
    {
        try
        {
            return template.Render(document);
        }
        catch (TemplateExecutionException e)
        {
            throw new OutputFormatException($"{ErrorPrefix}: {e.Message}");
        }
    }
}
