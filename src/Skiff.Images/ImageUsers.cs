namespace Skiff.Images;

/// <summary>Which images containers were created from. Containers are the engine's records, so the
/// engine answers; the image store only asks, before removing or collecting anything.</summary>
public interface IImageUsers
{
    /// <summary>Platform manifest digest (<see cref="LocalImage.ManifestDigest"/>) → how many
    /// containers were created from it.</summary>
    IReadOnlyDictionary<Digest, int> ContainersByManifest();
}

/// <summary>For callers with no containers to consider.</summary>
public sealed class NoImageUsers : IImageUsers
{
    public static readonly NoImageUsers Instance = new();

    public IReadOnlyDictionary<Digest, int> ContainersByManifest() => new Dictionary<Digest, int>();
}
