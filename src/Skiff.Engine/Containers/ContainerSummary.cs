using Skiff.Engine.State;

namespace Skiff.Engine.Containers;

/// <summary>How Docker describes a container in `ps` and in the API's container list.</summary>
public static class ContainerSummary
{
    public static string Command(ContainerRecord c) =>
        string.Join(' ', (c.Request.Entrypoint ?? []).Concat(c.Request.Command).DefaultIfEmpty(""));

    public static string State(ContainerRecord c) => c.Status.ToString().ToLowerInvariant();

    public static string StatusText(ContainerRecord c, DateTime now) => c.Status switch
    {
        ContainerStatus.Running => $"Up {HumanDuration(now - (c.StartedAt ?? now))}",
        ContainerStatus.Paused => $"Up {HumanDuration(now - (c.StartedAt ?? now))} (Paused)",
        ContainerStatus.Restarting => $"Restarting ({c.ExitCode}) {HumanDuration(now - (c.FinishedAt ?? now))} ago",
        ContainerStatus.Exited => $"Exited ({c.ExitCode}) {HumanDuration(now - (c.FinishedAt ?? now))} ago",
        ContainerStatus.Created => "Created",
        ContainerStatus.Removing => "Removal In Progress",
        _ => "Dead",
    };

    /// <summary>Docker's go-units HumanDuration.</summary>
    public static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < 1) return "Less than a second";
        if (seconds == 1) return "1 second";
        if (seconds < 60) return $"{seconds} seconds";
        var minutes = (long)d.TotalMinutes;
        if (minutes == 1) return "About a minute";
        if (minutes < 60) return $"{minutes} minutes";
        var hours = (long)Math.Round(d.TotalHours);
        if (hours == 1) return "About an hour";
        if (hours < 48) return $"{hours} hours";
        if (hours < 24 * 7 * 2) return $"{hours / 24} days";
        if (hours < 24 * 30 * 2) return $"{hours / 24 / 7} weeks";
        if (hours < 24 * 365 * 2) return $"{hours / 24 / 30} months";
        return $"{hours / 24 / 365} years";
    }
}
