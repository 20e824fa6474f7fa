using Skiff.Engine.Build.Context;
using Skiff.Engine.Build.Dockerfile;
using Skiff.Images;

namespace Skiff.Engine.Build;

/// <summary>Where a COPY takes its files: the build context, or the merged layers of an earlier
/// stage or an image (--from), named by something that changes whenever their content does.</summary>
public sealed record CopyFrom(string Name, IReadOnlyList<string> LayerDirs, Digest Identity);

/// <summary>A COPY or ADD decided up to its cache key: the content digest is known; the layer's
/// entries are listed only on a cache miss, against the image's tree as it is then.</summary>
public sealed record CopyPlan(Digest Content, Func<MergedTree?, IReadOnlyList<LayerEntry>> Entries);

/// <summary>
/// COPY and ADD by Docker's rules: several sources (or a wildcard) need a destination ending in
/// '/'; a directory's contents (not the directory) are copied; a file lands inside an existing
/// directory or with the destination's name; a relative destination is under WORKDIR; missing
/// parents are made; files are root's unless --chown says otherwise; ADD unpacks local tar archives
/// and refuses URLs (this engine fetches nothing for a build).
/// </summary>
public static class CopyStep
{
    private static readonly HashSet<string> KnownFlags = ["from", "chown", "chmod", "link"];

    public static CopyPlan Plan(Instruction instruction, IReadOnlyList<string> arguments, string workingDir, BuildContext context, CopyFrom? from)
    {
        foreach (var flag in instruction.Flags.Keys.Where(f => !KnownFlags.Contains(f)))
            throw Invalid(instruction, $"{instruction.Keyword} --{flag} is not supported: use --from, --chown, --chmod or --link");
        if (arguments.Count < 2)
            throw Invalid(instruction, $"{instruction.Keyword} needs a source and a destination: {instruction.Keyword} SRC... DEST");
        var isAdd = instruction.Keyword == "ADD";
        var sources = arguments.Take(arguments.Count - 1).ToList();
        var destination = arguments[^1];
        foreach (var url in sources.Where(IsUrl))
            throw Invalid(instruction, $"{instruction.Keyword} {url}: remote sources are not fetched by skiff build: download the file into the build context and {instruction.Keyword} it from there");
        var wildcard = sources.Any(IgnorePatterns.HasWildcards);
        var destinationPath = IgnorePatterns.CleanPath(destination.StartsWith('/') ? destination : (workingDir.Length == 0 ? "/" : workingDir) + "/" + destination).TrimStart('/');
        var endsInSlash = destination.EndsWith('/') || destination.EndsWith("/.") || destination == ".";
        var mode = ParseChmod(instruction);
        if (from is not null)
        {
            if (wildcard)
                throw Invalid(instruction, $"{instruction.Keyword} --from={from.Name} with wildcards is not supported: name the files or directories to copy");
            if (sources.Count > 1 && !endsInSlash)
                throw Invalid(instruction, $"when using {instruction.Keyword} with more than one source file, the destination must be a directory and end with a /");
            var content = ImageState.Key($"{from.Identity}\n{string.Join('\n', sources)}");
            return new CopyPlan(content, tree => FromTree(instruction, from, sources, destinationPath, endsInSlash || sources.Count > 1, mode, tree));
        }
        var matches = sources.Select(s => context.Resolve(s)).ToList();
        if ((matches.Sum(m => m.Count) > 1 || wildcard) && !endsInSlash)
            throw Invalid(instruction, $"when using {instruction.Keyword} with more than one source file, the destination must be a directory and end with a /");
        var files = matches.SelectMany(m => m).SelectMany(context.Walk).Select(e => (e.RelativePath, e.DiskPath)).ToList();
        return new CopyPlan(ContentDigest.Of(files), tree =>
            FromContext(instruction, context, matches.SelectMany(m => m).ToList(), destinationPath, endsInSlash, isAdd, mode, tree));
    }

    private static List<LayerEntry> FromContext(Instruction instruction, BuildContext context, List<ContextEntry> matches, string destination,
        bool endsInSlash, bool isAdd, UnixFileMode? mode, MergedTree? tree)
    {
        var (uid, gid) = Owner(instruction, tree);
        var entries = new Entries(tree, uid, gid);
        foreach (var match in matches)
        {
            if (BuildContext.IsRealDirectory(match.DiskPath))
            {
                entries.Directory(destination);
                foreach (var below in context.Walk(match).Where(e => e.RelativePath != match.RelativePath))
                    entries.Add(new LayerEntry(Join(destination, Below(below.RelativePath, match.RelativePath)), below.DiskPath, Uid: uid, Gid: gid, Mode: mode));
            }
            else if (isAdd && CopyLayer.IsArchive(match.DiskPath))
            {
                entries.Directory(destination);
                entries.Add(new LayerEntry(destination, match.DiskPath, Uid: uid, Gid: gid, UnpackArchive: true));
            }
            else
            {
                var target = endsInSlash || IsDirectoryIn(tree, destination) ? Join(destination, Path.GetFileName(match.DiskPath)) : destination;
                entries.Parents(target);
                entries.Add(new LayerEntry(target, match.DiskPath, Uid: uid, Gid: gid, Mode: mode));
            }
        }
        return entries.List;
    }

    private static List<LayerEntry> FromTree(Instruction instruction, CopyFrom from, List<string> sources, string destination, bool intoDirectory,
        UnixFileMode? mode, MergedTree? tree)
    {
        var chown = instruction.Flag("chown") is not null;
        var (uid, gid) = Owner(instruction, tree);
        var entries = new Entries(tree, uid, gid);
        var source = new MergedTree(from.LayerDirs);
        foreach (var path in sources)
        {
            var parts = BuildContext.Relative(path) is { Length: > 0 } relative ? relative.Split('/') : [];
            var located = from.LayerDirs.Count == 0 ? null : source.Locate(parts);
            if (located is null)
                throw Invalid(instruction, $"\"{path}\" not found in {from.Name}: check the path inside that stage or image");
            if (BuildContext.IsRealDirectory(located))
            {
                entries.Directory(destination);
                foreach (var member in source.Walk(parts, ""))
                    entries.Add(new LayerEntry(Join(destination, member.Name), member.Path, KeepOwner: !chown, Uid: uid, Gid: gid, Mode: mode));
                continue;
            }
            var target = intoDirectory || IsDirectoryIn(tree, destination) ? Join(destination, parts[^1]) : destination;
            entries.Parents(target);
            entries.Add(new LayerEntry(target, located, KeepOwner: !chown, Uid: uid, Gid: gid, Mode: mode));
        }
        return entries.List;
    }

    /// <summary>The entries of one layer, with each missing parent directory made once, before its children.</summary>
    private sealed class Entries(MergedTree? tree, int uid, int gid)
    {
        private readonly HashSet<string> _made = [""];

        public List<LayerEntry> List { get; } = [];

        public void Add(LayerEntry entry)
        {
            Parents(entry.Name);
            if (!entry.UnpackArchive)
                _made.Add(entry.Name);
            List.Add(entry);
        }

        public void Directory(string path)
        {
            Parents(path);
            if (path.Length > 0 && !_made.Contains(path) && !IsDirectoryIn(tree, path))
                List.Add(new LayerEntry(path, null, Uid: uid, Gid: gid));
            _made.Add(path);
        }

        public void Parents(string path)
        {
            var slash = path.LastIndexOf('/');
            if (slash > 0)
                Directory(path[..slash]);
        }
    }

    private static bool IsDirectoryIn(MergedTree? tree, string path) =>
        path.Length == 0 || (tree?.Locate(path.Split('/')) is { } found && System.IO.Directory.Exists(found));

    private static (int Uid, int Gid) Owner(Instruction instruction, MergedTree? tree) =>
        instruction.Flag("chown") is { } spec ? ChownSpec.Resolve(spec, ChownSpec.Reader(tree)) : (0, 0);

    private static UnixFileMode? ParseChmod(Instruction instruction)
    {
        if (instruction.Flag("chmod") is not { } text)
            return null;
        try
        {
            var mode = Convert.ToInt32(text, 8);
            return mode is >= 0 and <= 0b111_111_111_111 ? (UnixFileMode)mode : throw new FormatException();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw Invalid(instruction, $"invalid --chmod={text}: give an octal mode such as 755 or 0644");
        }
    }

    public static bool IsUrl(string source) =>
        source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        || source.StartsWith("git@", StringComparison.Ordinal);

    private static string Join(string directory, string name) => directory.Length == 0 ? name : directory + "/" + name;

    private static string Below(string path, string parent) => parent.Length == 0 ? path : path[(parent.Length + 1)..];

    private static BuildException Invalid(Instruction instruction, string message) =>
        new($"Dockerfile line {instruction.Line}: {message}");
}
