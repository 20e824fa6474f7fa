using System.Globalization;

namespace Skiff.Linux;

/// <summary>
/// A process as /proc/PID/stat shows it: its state letter and its start time (clock ticks after
/// boot). The pair (pid, start time) names one process for good: a reused pid has another start time.
/// </summary>
public readonly record struct ProcessStat(char State, ulong StartTime)
{
    /// <summary>Null when no such process exists (any more).</summary>
    public static ProcessStat? Read(int pid)
    {
        try { return Parse(File.ReadAllText($"/proc/{pid}/stat")); }
        catch (IOException) { return null; }
    }

    /// <summary>The command name (field 2) may hold spaces and parentheses, so fields count from the last ')'.</summary>
    public static ProcessStat Parse(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        return new ProcessStat(fields[0][0], ulong.Parse(fields[19], CultureInfo.InvariantCulture));
    }

    /// <summary>Alive and not yet a zombie waiting for its parent.</summary>
    public bool IsRunning => State is not ('Z' or 'X' or 'x');
}
