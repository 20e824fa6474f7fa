using Skiff.Linux;

namespace Skiff.Cli;

/// <summary>
/// <c>-it</c> relays the caller's terminal to the container's pty. With a pipe or a file on stdin
/// there is no terminal to relay: the program would read the input and then wait forever for more
/// (a shell's prompt, cat), so Docker's client refuses before creating anything, with exit code 1.
/// </summary>
public static class InputTerminal
{
    public const string NotATerminal = "the input device is not a TTY";
    public const int RefusedExitCode = 1;

    /// <summary>True (and the refusal printed) when stdin is to be relayed to a pty but is not a terminal.</summary>
    public static bool Refuses(bool interactive, bool tty)
    {
        if (!interactive || !tty || FileDescriptors.IsTerminal(0)) return false;
        Console.Error.WriteLine(NotATerminal);
        return true;
    }
}
