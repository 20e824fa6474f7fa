namespace Skiff.Linux;

/// <summary>Input Skiff refuses before it changes anything: a flag value, a name, a spec or a file the
/// user handed in. The message says which value is wrong and what would be right.</summary>
public sealed class InvalidInputException(string message, Exception? inner = null) : SkiffException(message, inner);
