namespace Skiff.Engine;

/// <summary>Where Skiff keeps its state: /var/lib/skiff, or $SKIFF_ROOT (tests give each run its own).</summary>
public sealed record SkiffPaths(string Root)
{
    public static SkiffPaths FromEnvironment() =>
        new(Environment.GetEnvironmentVariable("SKIFF_ROOT") is { Length: > 0 } root ? root : "/var/lib/skiff");

    public string Images => Path.Join(Root, "images");
    public string Containers => Path.Join(Root, "containers");
    public string Volumes => Path.Join(Root, "volumes");
    public string Container(string id) => Path.Join(Containers, id);
}
