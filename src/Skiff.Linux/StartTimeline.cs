using System.Diagnostics;

namespace Skiff.Linux;

/// <summary>
/// Marks along the container start path, printed to stderr when SKIFF_TIMINGS=1, so that every
/// step of the path can be measured in place (bench/start.sh shows the breakdown). Costs one
/// environment lookup when off.
/// </summary>
public static class StartTimeline
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("SKIFF_TIMINGS") == "1";
    private static readonly DateTime ProcessStart = Enabled ? Process.GetCurrentProcess().StartTime.ToUniversalTime() : default;

    public static void Mark(string step)
    {
        if (Enabled)
            Console.Error.WriteLine($"[timing] {ProcessControl.CurrentPid} {step}: {(DateTime.UtcNow - ProcessStart).TotalMilliseconds:F1} ms since process start");
    }
}
