namespace Skiff.Engine.Containers;

/// <summary>A container's labels as Docker keeps them: the image's, then the container's own over them.</summary>
public static class ImageLabels
{
    public static IReadOnlyDictionary<string, string> Merge(IReadOnlyDictionary<string, string>? image, IReadOnlyDictionary<string, string> container)
    {
        if (image is null or { Count: 0 }) return container;
        var merged = new Dictionary<string, string>(image);
        foreach (var (key, value) in container) merged[key] = value;
        return merged;
    }

    /// <summary>Docker's label filter: <c>key</c> (present, any value) or <c>key=value</c>.</summary>
    public static bool Matches(IReadOnlyDictionary<string, string> labels, string filter) =>
        filter.Split('=', 2) is [var key, var value]
            ? labels.TryGetValue(key, out var actual) && actual == value
            : labels.ContainsKey(filter);
}
