using System.Globalization;
using Skiff.Linux;

namespace Skiff.Engine;

/// <summary>Docker's size syntax for --memory and friends: a number with an optional b, k, m, g, t suffix (binary units).</summary>
public static class ByteSize
{
    public static long Parse(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        if (s == "-1") return -1;
        var end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.')) end++;
        var unit = s[end..].TrimEnd('b').TrimEnd('i');
        if (end == 0 || !decimal.TryParse(s[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            throw new InvalidInputException($"invalid size: \"{text}\" (expected a number with an optional unit b, k, m, g, e.g. 64m)");
        long multiplier = unit switch
        {
            "" => 1,
            "k" => 1L << 10,
            "m" => 1L << 20,
            "g" => 1L << 30,
            "t" => 1L << 40,
            _ => throw new InvalidInputException($"invalid size: \"{text}\" (unknown unit \"{s[end..]}\"; use b, k, m or g)"),
        };
        return (long)(number * multiplier);
    }
}
