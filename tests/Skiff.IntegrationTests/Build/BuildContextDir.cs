namespace Skiff.IntegrationTests.Build;

/// <summary>A build context in a temporary directory: a Dockerfile and files, removed on dispose.</summary>
public sealed class BuildContextDir : IDisposable
{
    public BuildContextDir(string dockerfile, IReadOnlyDictionary<string, string>? files = null)
    {
        Path = System.IO.Path.Join(System.IO.Path.GetTempPath(), $"skiff-build-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
        Write("Dockerfile", dockerfile);
        foreach (var (name, content) in files ?? new Dictionary<string, string>())
            Write(name, content);
    }

    public string Path { get; }

    public void Write(string name, string content)
    {
        var path = System.IO.Path.Join(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    public RunResult Build(params string[] args) => Sandbox.Run(Sandbox.Binary, ["build", .. args, Path], timeout: TimeSpan.FromMinutes(5));

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
