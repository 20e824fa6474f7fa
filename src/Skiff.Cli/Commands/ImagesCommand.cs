using System.CommandLine;
using System.Globalization;
using Skiff.Cli.Formatting;
using System.Text.Json;
using Skiff.Images;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff images</c>, <c>skiff rmi</c> and the <c>skiff image</c> group (ls, inspect, history,
/// prune, rm, tag).</summary>
public static class ImagesCommand
{
    private static readonly Option<bool> All = new("--all", "-a") { Description = "Show all images (Skiff keeps no intermediate images, so the same as without)" };
    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Only show image IDs" };
    private static readonly Option<bool> Digests = new("--digests") { Description = "Show digests" };
    private static readonly Option<bool> NoTrunc = new("--no-trunc") { Description = "Don't truncate output" };
    private static readonly Option<string?> Format = ListFormat.FormatOption();

    private const string DefaultFormat = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
    private const string DigestsFormat = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

    /// <summary>The fields of Docker's images rows (its formatter.imageContext) and their headers.</summary>
    private static readonly Column[] Columns =
    [
        new("ID", "IMAGE ID"), new("Repository", "REPOSITORY"), new("Tag", "TAG"), new("Digest", "DIGEST"),
        new("CreatedSince", "CREATED"), new("CreatedAt", "CREATED AT"), new("Size", "SIZE"), new("Containers", "CONTAINERS"),
        new("SharedSize", "SHARED SIZE"), new("UniqueSize", "UNIQUE SIZE"), new("VirtualSize", "VIRTUAL SIZE"),
    ];

    private static readonly Argument<string?> Repository = new("repository") { Description = "Only images of this repository", Arity = ArgumentArity.ZeroOrOne };

    private static readonly Option<bool> Force = new("--force", "-f") { Description = "Remove even if a container uses it, and every name of an id" };
    private static readonly Argument<string[]> Images = new("image") { Description = "Image names or ids", Arity = ArgumentArity.OneOrMore };

    private static readonly Option<bool> PruneAll = new("--all", "-a") { Description = "Remove all images no container uses, not just dangling ones" };
    private static readonly Option<bool> PruneForce = new("--force", "-f") { Description = "Do not prompt for confirmation" };

    private static readonly Argument<string> Image = new("image") { Description = "Image name or id" };

    public static Command BuildImages() => List(new Command("images", "List images"));

    public static Command BuildRmi() => Remove(new Command("rmi", "Remove one or more images"));

    public static Command BuildImage()
    {
        var ls = List(new Command("ls", "List images"));
        ls.Aliases.Add("list");
        var rm = Remove(new Command("rm", "Remove one or more images"));
        var inspect = new Command("inspect", "Show an image's details as JSON") { InspectCommand.Format, Images };
        inspect.SetAction(p => Inspect(p));
        var history = new Command("history", "Show how an image was made, newest step first") { NoTrunc, Quiet, Image };
        history.SetAction(p => History(p));
        var prune = new Command("prune", "Remove images nothing uses") { PruneAll, PruneForce };
        prune.SetAction(p => Prune(p));
        return new Command("image", "Manage images") { ls, rm, inspect, history, prune, TagCommand.Build(), ImagesArchiveCommands.BuildSave(), ImagesArchiveCommands.BuildLoad(), ImagesArchiveCommands.BuildImport() };
    }

    private static Command List(Command command)
    {
        command.Add(All);
        command.Add(Quiet);
        command.Add(Digests);
        command.Add(NoTrunc);
        command.Add(Format);
        command.Add(Repository);
        command.SetAction(p => ListImages(p));
        return command;
    }

    private static Command Remove(Command command)
    {
        command.Add(Force);
        command.Add(Images);
        command.SetAction(p => RemoveImages(p));
        return command;
    }

    private static int ListImages(ParseResult p)
    {
        var argument = p.GetValue(Repository);
        var filter = argument is null ? null : ImageReference.Parse(argument);
        // Parse adds "latest" to a bare name; only a tag the user typed narrows the list.
        var tagTyped = argument?.Split('/')[^1].Contains(':') == true;
        var rows = ImageEnvironment.Store().List()
            .Where(i => filter is null || (i.Repository == filter.FamiliarName && (!tagTyped || i.Tag == filter.Tag)))
            .ToList();
        string Id(Digest d) => p.GetValue(NoTrunc) ? d.ToString() : ImageEnvironment.ShortId(d);
        if (p.GetValue(Quiet))
        {
            foreach (var id in rows.Select(i => Id(i.Id)).Distinct())
                Console.WriteLine(id);
            return 0;
        }
        var format = new ListFormat(p.GetValue(Format), p.GetValue(Digests) ? DigestsFormat : DefaultFormat, Columns, "*formatter.imageContext");
        format.Print(Console.Out, rows.Select(i => format.Row(field => field switch
        {
            "ID" => Id(i.Id),
            "Repository" => i.Repository,
            "Tag" => i.Tag,
            "Digest" => i.Digest.ToString(),
            "CreatedSince" => i.Created is { } c ? Ago(c) : "N/A",
            "CreatedAt" => i.Created is { } at ? at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " +0000 UTC" : "",
            "Size" or "VirtualSize" => HumanSizes.Decimal(i.Size),
            "Containers" or "SharedSize" or "UniqueSize" => "N/A",
            _ => "",
        })));
        return 0;
    }

    private static int RemoveImages(ParseResult p)
    {
        var store = ImageEnvironment.Store();
        var failed = false;
        foreach (var image in p.GetValue(Images)!)
        {
            try
            {
                Print(store.Remove(image, p.GetValue(Force), ImageEnvironment.Users));
            }
            catch (ImageException e)
            {
                // Like Docker: report each failure and go on with the rest, failing at the end.
                Console.Error.WriteLine($"skiff: {e.Message}");
                failed = true;
            }
        }
        return failed ? ExitCodes.EngineError : 0;
    }

    private static int Prune(ParseResult p)
    {
        var report = ImageEnvironment.Store().Prune(p.GetValue(PruneAll), ImageEnvironment.Users);
        if (report.Untagged.Count + report.DeletedImages.Count > 0)
        {
            Console.WriteLine("Deleted Images:");
            Print(report);
            Console.WriteLine();
        }
        Console.WriteLine($"Total reclaimed space: {HumanSizes.Decimal(report.ReclaimedBytes)}");
        return 0;
    }

    private static void Print(RemovalReport report)
    {
        foreach (var name in report.Untagged)
            Console.WriteLine($"Untagged: {name}");
        foreach (var id in report.DeletedImages)
            Console.WriteLine($"Deleted: {id}");
    }

    private static int Inspect(ParseResult p)
    {
        var store = ImageEnvironment.Store();
        var inspections = p.GetValue(Images)!.Select(store.Inspect).ToList();
        InspectOutput.Print(p.GetValue(InspectCommand.Format), inspections, (w, i) => JsonSerializer.Serialize(w, i, ImageInspectionJsonContext.Default.ImageInspection));
        return 0;
    }

    private static int History(ParseResult p)
    {
        var steps = ImageEnvironment.Store().History(p.GetValue(Image)!);
        if (p.GetValue(Quiet))
        {
            foreach (var step in steps)
                Console.WriteLine(step.Layer is { } l ? ImageEnvironment.ShortId(l) : "<missing>");
            return 0;
        }
        var noTrunc = p.GetValue(NoTrunc);
        var table = new List<string[]> { new[] { "LAYER", "CREATED", "CREATED BY", "SIZE", "COMMENT" } };
        foreach (var s in steps)
        {
            var createdBy = noTrunc || s.CreatedBy.Length <= 45 ? s.CreatedBy : s.CreatedBy[..44] + "…";
            table.Add([s.Layer is { } l ? ImageEnvironment.ShortId(l) : "<missing>", s.Created is { } c ? Ago(c) : "N/A",
                createdBy, HumanSizes.Decimal(s.Size), s.Comment]);
        }
        PrintTable(table);
        return 0;
    }

    internal static string Ago(DateTimeOffset when)
    {
        var age = DateTimeOffset.UtcNow - when;
        return age.TotalSeconds < 60 ? "Less than a minute ago"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes} minutes ago"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours} hours ago"
            : age.TotalDays < 14 ? $"{(int)age.TotalDays} days ago"
            : age.TotalDays < 60 ? $"{(int)(age.TotalDays / 7)} weeks ago"
            : age.TotalDays < 730 ? $"{(int)(age.TotalDays / 30)} months ago"
            : $"{(int)(age.TotalDays / 365)} years ago";
    }

    internal static void PrintTable(IReadOnlyList<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            Console.WriteLine(string.Join("   ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
    }
}
