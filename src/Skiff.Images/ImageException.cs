using Skiff.Linux;

namespace Skiff.Images;

/// <summary>Base of every error this library reports about images, registries and archives: each
/// message names the thing and the fix, so the CLI prints it as it is.</summary>
public abstract class ImageException(string message, Exception? inner = null) : SkiffException(message, inner);
