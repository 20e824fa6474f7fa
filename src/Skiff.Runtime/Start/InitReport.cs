using System.Text;

namespace Skiff.Runtime.Start;

/// <summary>
/// What init tells the runtime, one type per report (youki's <c>process/channel.rs</c>). The status
/// pipe is close-on-exec in init, so its end of file right after <see cref="Execing"/> means the
/// user's program is running.
/// </summary>
internal abstract record InitReport
{
    private const byte ConsoleTag = (byte)'C', ExecingTag = (byte)'E', CreatedTag = (byte)'R', FailedTag = (byte)'F';

    /// <summary>init opened the container's pty; the master is descriptor <paramref name="MasterFd"/> in init, for the runtime to copy.</summary>
    public sealed record ConsoleReady(int MasterFd) : InitReport;

    /// <summary>init is about to execve the program.</summary>
    public sealed record Execing : InitReport;

    /// <summary>init waits on its start fifo (runc's create); nothing more is said.</summary>
    public sealed record Created : InitReport;

    /// <summary>init could not start the program; <paramref name="ExitCode"/> is Docker's (125, 126, 127).</summary>
    public sealed record Failed(int ExitCode, string Message) : InitReport;

    public (byte Tag, byte[] Payload) Encode() => this switch
    {
        ConsoleReady c => (ConsoleTag, BitConverter.GetBytes(c.MasterFd)),
        Execing => (ExecingTag, []),
        Created => (CreatedTag, []),
        Failed f => (FailedTag, [.. BitConverter.GetBytes(f.ExitCode), .. Encoding.UTF8.GetBytes(f.Message)]),
        _ => throw new InvalidOperationException($"no encoding for {GetType().Name}"),
    };

    public static InitReport Decode(byte tag, byte[] payload) => tag switch
    {
        ConsoleTag when payload.Length == 4 => new ConsoleReady(BitConverter.ToInt32(payload)),
        ExecingTag when payload.Length == 0 => new Execing(),
        CreatedTag when payload.Length == 0 => new Created(),
        FailedTag when payload.Length >= 4 => new Failed(BitConverter.ToInt32(payload), Encoding.UTF8.GetString(payload.AsSpan(4))),
        ConsoleTag or ExecingTag or CreatedTag or FailedTag =>
            throw new InitChannelException($"init's report '{(char)tag}' came with {payload.Length} bytes it cannot have"),
        _ => throw new InitChannelException($"init sent an unknown report (tag {tag})"),
    };
}
