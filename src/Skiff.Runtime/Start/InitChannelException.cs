using Skiff.Linux;

namespace Skiff.Runtime.Start;

/// <summary>The runtime and init could not understand each other: a message was cut off, unknown, or not the one awaited.</summary>
public sealed class InitChannelException(string message)
    : SkiffException($"the container's init and the runtime lost their channel: {message}");
