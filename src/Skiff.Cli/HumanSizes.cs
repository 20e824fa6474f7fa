using System.Globalization;

namespace Skiff.Cli;

/// <summary>Sizes as Docker prints them: decimal units for images and I/O, binary units for memory.</summary>
public static class HumanSizes
{
    private static readonly string[] DecimalUnits = ["B", "kB", "MB", "GB", "TB"];
    private static readonly string[] BinaryUnits = ["B", "KiB", "MiB", "GiB", "TiB"];

    public static string Decimal(long bytes) => Format(bytes, 1000, DecimalUnits);

    public static string Binary(long bytes) => Format(bytes, 1024, BinaryUnits);

    private static string Format(long bytes, double step, string[] units)
    {
        double value = bytes;
        var unit = 0;
        while (value >= step && unit < units.Length - 1)
        {
            value /= step;
            unit++;
        }
        return value.ToString("0.##", CultureInfo.InvariantCulture) + units[unit];
    }
}
