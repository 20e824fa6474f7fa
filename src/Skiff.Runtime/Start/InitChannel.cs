using System.Globalization;

namespace Skiff.Runtime.Start;

/// <summary>
/// What the runtime and a container's init say to each other over two inherited pipes. The parent
/// writes the spec (length-prefixed) and then single bytes on the sync pipe; init writes text lines
/// on the status pipe, which is close-on-exec in init, so end-of-file right after "exec" means the
/// user's program is running.
/// </summary>
internal static class InitChannel
{
    public const string EnvironmentVariable = "_SKIFF_INIT";

    public const byte ConsoleTaken = (byte)'A'; // parent: the pty master is copied, init may close it

    public const string ConsoleLine = "console";  // "console <fd>": init opened the pty, master is fd
    public const string ExecLine = "exec";        // init is about to execve
    public const string ErrorLine = "error";      // "error <exit code> <message>"
    public const string CreatedLine = "created";  // init waits on its start fifo; nothing more is said

    /// <param name="PreservedFds">descriptors 3 to 3+N-1, inherited from the runtime's caller, that the program receives (runc's --preserve-fds).</param>
    public sealed record Handles(int Sync, int Status, int[]? Stdio, int PreservedFds = 0)
    {
        public string Encode() => string.Join(';',
            Sync.ToString(CultureInfo.InvariantCulture),
            Status.ToString(CultureInfo.InvariantCulture),
            Stdio is null ? "-" : string.Join(',', Stdio),
            PreservedFds.ToString(CultureInfo.InvariantCulture));

        public static Handles Decode(string value)
        {
            var parts = value.Split(';', 4);
            return new Handles(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture),
                parts[2] == "-" ? null : parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
                int.Parse(parts[3], CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The spec message: a 4-byte little-endian length, then <see cref="InitSpecCodec"/>'s bytes.</summary>
    public static void SendSpec(int fd, byte[] encoded)
    {
        var message = new byte[4 + encoded.Length];
        BitConverter.TryWriteBytes(message.AsSpan(0, 4), encoded.Length);
        encoded.CopyTo(message, 4);
        Linux.FileDescriptors.WriteAll(fd, message);
    }

    /// <summary>Blocks until the parent sends the spec, which it does once init is in its cgroup.</summary>
    public static byte[] ReceiveSpec(int fd)
    {
        var length = BitConverter.ToInt32(ReadExactly(fd, 4));
        return ReadExactly(fd, length);
    }

    private static byte[] ReadExactly(int fd, int count)
    {
        var buffer = new byte[count];
        for (var done = 0; done < count;)
        {
            var n = Linux.FileDescriptors.Read(fd, buffer.AsSpan(done));
            if (n == 0) throw new InvalidOperationException("the runtime went away before the container started");
            done += n;
        }
        return buffer;
    }
}
