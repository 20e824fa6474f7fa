namespace Skiff.Runtime.Start;

/// <summary>What the runtime tells init, one type per message: the spec once init is in its cgroup, and that the pty master is taken.</summary>
internal abstract record RuntimeMessage
{
    private const byte SpecTag = (byte)'S', ConsoleTakenTag = (byte)'A';

    /// <summary><see cref="InitSpecCodec"/>'s bytes.</summary>
    public sealed record Spec(byte[] Instructions) : RuntimeMessage;

    /// <summary>The runtime has copied the pty master out of init, which may close it now.</summary>
    public sealed record ConsoleTaken : RuntimeMessage;

    public (byte Tag, byte[] Payload) Encode() => this switch
    {
        Spec s => (SpecTag, s.Instructions),
        ConsoleTaken => (ConsoleTakenTag, []),
        _ => throw new InvalidOperationException($"no encoding for {GetType().Name}"),
    };

    public static RuntimeMessage Decode(byte tag, byte[] payload) => tag switch
    {
        SpecTag => new Spec(payload),
        ConsoleTakenTag when payload.Length == 0 => new ConsoleTaken(),
        ConsoleTakenTag => throw new InitChannelException($"the runtime's console message came with {payload.Length} bytes it cannot have"),
        _ => throw new InitChannelException($"the runtime sent an unknown message (tag {tag})"),
    };
}
