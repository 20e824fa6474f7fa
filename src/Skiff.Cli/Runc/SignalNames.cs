using System.Globalization;
using Skiff.Runtime.Oci;

namespace Skiff.Cli.Runc;

/// <summary>kill's signal argument as runc reads it: "KILL", "SIGKILL", "kill" or "9".</summary>
public static class SignalNames
{
    private static readonly string[] Names =
    [
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
        "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];

    public static int Parse(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and <= 64)
            return number;
        var name = text.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal)) name = name[3..];
        if (name.StartsWith("RTMIN", StringComparison.Ordinal) || name.StartsWith("RTMAX", StringComparison.Ordinal))
        {
            var offset = name.Length > 5 && int.TryParse(name[5..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var o) ? o : 0;
            return name.StartsWith("RTMIN", StringComparison.Ordinal) ? 34 + offset : 64 + offset;
        }
        var index = Array.IndexOf(Names, name);
        if (name == "IOT") index = 6;
        if (name == "POLL") index = 29;
        return index > 0 ? index : throw new OciException($"unknown signal \"{text}\": use a name such as TERM or KILL, or a number from 1 to 64");
    }
}
