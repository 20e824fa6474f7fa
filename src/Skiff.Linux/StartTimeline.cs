using System.Diagnostics;
using System.Globalization;

namespace Skiff.Linux;

/// <summary>
/// Marks along the container start path, printed to stderr when SKIFF_TIMINGS=1, so that every
/// step of the path can be measured in place (bench/start.sh shows the breakdown). All processes of
/// one start (the CLI, init, the monitor) mark on one clock: the first of them puts its start on
/// CLOCK_MONOTONIC into the environment its children inherit, so their marks line up with its own.
/// Costs one environment lookup when off.
/// </summary>
public static class StartTimeline
{
    private const string OriginVariable = "SKIFF_TIMINGS_ORIGIN";
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("SKIFF_TIMINGS") == "1";
    private static readonly long Origin = Enabled ? InheritedOrNow() : 0;

    public static void Mark(string step)
    {
        if (Enabled)
            Console.Error.WriteLine($"[timing] {ProcessControl.CurrentPid,-7} {step,-24} {Stopwatch.GetElapsedTime(Origin).TotalMilliseconds,6:F1} ms");
    }

    private static long InheritedOrNow()
    {
        if (long.TryParse(Environment.GetEnvironmentVariable(OriginVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var inherited))
            return inherited;
        var now = Stopwatch.GetTimestamp();
        Environment.SetEnvironmentVariable(OriginVariable, now.ToString(CultureInfo.InvariantCulture));
        return now;
    }
}
