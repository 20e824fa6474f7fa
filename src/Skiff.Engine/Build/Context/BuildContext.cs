namespace Skiff.Engine.Build.Context;

/// <summary>A file of the build context: where it is on disk, and its '/'-separated path in the context ("" for the root).</summary>
public sealed record ContextEntry(string DiskPath, string RelativePath);

/// <summary>
/// The build context, read in place (never copied or sent anywhere): a directory, less what its
/// <c>.dockerignore</c> excludes. COPY and ADD sources are cleaned paths inside it ("../x" and "/x"
/// both stay inside, as in BuildKit), with Go's filepath.Match wildcards.
/// </summary>
public sealed class BuildContext
{
    private readonly string? _root;
    private readonly IgnorePatterns _ignore;

    private BuildContext(string? root, IgnorePatterns ignore)
    {
        _root = root;
        _ignore = ignore;
    }

    /// <summary>No files at all: the context "-", a Dockerfile on stdin.</summary>
    public static readonly BuildContext Empty = new(null, IgnorePatterns.None);

    public static BuildContext Open(string directory)
    {
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
            throw new BuildException($"build context {directory} is not a directory: give the directory whose files the Dockerfile copies (often '.')");
        var ignoreFile = Path.Join(root, ".dockerignore");
        IgnorePatterns ignore;
        try
        {
            ignore = File.Exists(ignoreFile) ? IgnorePatterns.Parse(File.ReadAllText(ignoreFile)) : IgnorePatterns.None;
        }
        catch (ArgumentException e)
        {
            throw new BuildException($"{ignoreFile}: {e.Message}");
        }
        return new BuildContext(root, ignore);
    }

    /// <summary>The context entries a COPY source names: one for a plain path, any number for a wildcard.</summary>
    /// <exception cref="BuildException">Nothing (left after .dockerignore) matches.</exception>
    public IReadOnlyList<ContextEntry> Resolve(string source)
    {
        if (_root is null)
            throw new BuildException($"\"{source}\" cannot be copied: this build has no context (the Dockerfile came on stdin with '-'): give a context directory");
        var relative = Relative(source);
        if (IgnorePatterns.HasWildcards(relative))
        {
            var pattern = IgnorePatterns.Compile(relative, doubleStar: false);
            var matches = Walk(Entry("")).Where(e => e.RelativePath.Length > 0 && pattern.IsMatch(e.RelativePath)).ToList();
            return matches.Count > 0 ? matches : throw NotFound(source);
        }
        var entry = Entry(relative);
        if (Exists(entry.DiskPath) && (relative.Length == 0 || !_ignore.Excludes(relative)))
            return [entry];
        throw NotFound(source);
    }

    /// <summary>The entry and, for a directory, everything below it that .dockerignore leaves in; parents first, in name order.</summary>
    public IEnumerable<ContextEntry> Walk(ContextEntry entry)
    {
        if (entry.RelativePath.Length == 0 || !_ignore.Excludes(entry.RelativePath))
            yield return entry;
        // An excluded directory is still walked when a '!' pattern may re-include something below it.
        else if (!_ignore.HasExclusions)
            yield break;
        if (!IsRealDirectory(entry.DiskPath))
            yield break;
        foreach (var child in Directory.EnumerateFileSystemEntries(entry.DiskPath).Select(Path.GetFileName).Order(StringComparer.Ordinal))
            foreach (var below in Walk(new ContextEntry(Path.Join(entry.DiskPath, child), Join(entry.RelativePath, child!))))
                yield return below;
    }

    public static bool IsRealDirectory(string path) =>
        Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null;

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null;

    private ContextEntry Entry(string relative) =>
        new(relative.Length == 0 ? _root! : Path.Join(_root, relative), relative);

    /// <summary>A source as a clean path inside the context: "/a/../b", "../b" and "b/" are all "b".</summary>
    public static string Relative(string source)
    {
        var cleaned = IgnorePatterns.CleanPath("/" + source);
        return cleaned.TrimStart('/');
    }

    private static string Join(string parent, string child) => parent.Length == 0 ? child : parent + "/" + child;

    private static BuildException NotFound(string source) =>
        new($"\"{source}\" not found in the build context (or excluded by .dockerignore): check the path, relative to the context directory");
}
