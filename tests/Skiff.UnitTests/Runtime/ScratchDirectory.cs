namespace Skiff.UnitTests.Runtime;

/// <summary>A temporary directory, removed with everything in it (symlinks are removed, not followed).</summary>
public sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "skiff-unit-" + Guid.NewGuid().ToString("N"));

    /// <summary>The absolute path of <paramref name="relative"/> inside the scratch directory.</summary>
    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public string Dir(string relative) => Directory.CreateDirectory(this[relative]).FullName.TrimEnd('/');

    public string File(string relative, string content = "", UnixFileMode? mode = null)
    {
        var path = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        if (mode is { } m) System.IO.File.SetUnixFileMode(path, m);
        return path;
    }

    public string Symlink(string relative, string target)
    {
        var path = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.CreateSymbolicLink(path, target);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
