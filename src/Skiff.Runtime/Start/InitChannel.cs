using System.Globalization;

namespace Skiff.Runtime.Start;

/// <summary>
/// What the runtime and a container's init say to each other over two inherited pipes. The parent
/// writes single bytes on the sync pipe; init writes text lines on the status pipe, which is
/// close-on-exec in init, so end-of-file right after "exec" means the user's program is running.
/// </summary>
internal static class InitChannel
{
    public const string EnvironmentVariable = "_SKIFF_INIT";

    public const byte Go = (byte)'G';        // parent: init is in its cgroup, carry on
    public const byte ConsoleTaken = (byte)'A'; // parent: the pty master is copied, init may close it

    public const string ConsoleLine = "console";  // "console <fd>": init opened the pty, master is fd
    public const string ExecLine = "exec";        // init is about to execve
    public const string ErrorLine = "error";      // "error <exit code> <message>"

    public sealed record Handles(int Sync, int Status, string Bundle, int[]? Stdio)
    {
        public string Encode() => string.Join(';',
            Sync.ToString(CultureInfo.InvariantCulture),
            Status.ToString(CultureInfo.InvariantCulture),
            Stdio is null ? "-" : string.Join(',', Stdio),
            Bundle);

        public static Handles Decode(string value)
        {
            var parts = value.Split(';', 4);
            return new Handles(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), parts[3],
                parts[2] == "-" ? null : parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray());
        }
    }
}
