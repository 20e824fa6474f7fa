using System.CommandLine;
using System.Globalization;
using Skiff.Engine.Containers;
using Skiff.Engine.Logs;
using Skiff.Engine.State;
using Skiff.Linux;

namespace Skiff.Cli.Commands;

public static class LogsCommand
{
    private static readonly Option<bool> Follow = new("--follow", "-f") { Description = "Follow log output" };
    private static readonly Option<string?> Tail = new("--tail", "-n") { Description = "Number of lines to show from the end (or \"all\")" };
    private static readonly Option<bool> Timestamps = new("--timestamps", "-t") { Description = "Show timestamps" };
    private static readonly Option<string?> Since = new("--since") { Description = "Show logs since a time (RFC 3339, Unix seconds) or a duration (10m, 1h30m)" };

    public static Command Build()
    {
        var container = new Argument<string>("container");
        var command = new Command("logs", "Fetch the logs of a container") { Follow, Tail, Timestamps, Since, container };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            var record = engine.Find(p.GetValue(container)!);
            int? tail = p.GetValue(Tail) is { } t && t != "all"
                ? int.TryParse(t, out var n) && n >= 0 ? n : throw new InvalidInputException($"invalid --tail \"{t}\": a number or \"all\"")
                : null;
            var since = p.GetValue(Since) is { } s ? ParseSince(s, DateTime.UtcNow) : (DateTime?)null;
            Print(engine, record.Id, p.GetValue(Follow), tail, p.GetValue(Timestamps), since);
            return 0;
        });
        return command;
    }

    /// <summary>Prints the log (stdout entries to stdout, stderr to stderr); with follow, until the container has stopped.</summary>
    private static void Print(ContainerEngine engine, string id, bool follow, int? tail, bool timestamps, DateTime? since)
    {
        var record = engine.Find(id);
        var path = engine.LogPath(id);
        var entries = JsonFileLog.ReadAll(path, record.Request.Log.MaxFiles).Where(e => since is null || e.Time >= since);
        if (tail is { } n) entries = entries.TakeLast(n);
        foreach (var entry in entries) Write(entry, timestamps);
        if (!follow) return;

        // Follow the live file from where it ends now; rotation starts a new file under the same name.
        using var reader = OpenAtEnd(path);
        while (true)
        {
            var line = reader?.ReadLine();
            if (line is not null)
            {
                if (JsonFileLog.Parse(line) is { } entry && (since is null || entry.Time >= since)) Write(entry, timestamps);
                continue;
            }
            if (engine.Find(id).Status is not (ContainerStatus.Running or ContainerStatus.Restarting))
            {
                // One more read: the last lines may have landed just before the exit was recorded.
                while (reader?.ReadLine() is { } last)
                    if (JsonFileLog.Parse(last) is { } entry) Write(entry, timestamps);
                return;
            }
            Thread.Sleep(50);
        }
    }

    private static StreamReader? OpenAtEnd(string path)
    {
        if (!File.Exists(path)) return null;
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(0, SeekOrigin.End);
        return new StreamReader(stream);
    }

    private static void Write(LogEntry entry, bool timestamps)
    {
        var text = timestamps ? JsonFileLog.FormatTime(entry.Time) + " " + entry.Text : entry.Text;
        (entry.Stream == "stderr" ? Console.Error : Console.Out).Write(text);
    }

    internal static DateTime ParseSince(string text, DateTime now)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var unix))
            return DateTime.UnixEpoch.AddSeconds(unix);
        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
            return time;
        var total = TimeSpan.Zero;
        var number = "";
        foreach (var ch in text)
        {
            if (char.IsAsciiDigit(ch) || ch == '.') { number += ch; continue; }
            if (number.Length == 0) throw new InvalidInputException($"invalid --since \"{text}\"");
            var value = double.Parse(number, CultureInfo.InvariantCulture);
            total += ch switch
            {
                'h' => TimeSpan.FromHours(value),
                'm' => TimeSpan.FromMinutes(value),
                's' => TimeSpan.FromSeconds(value),
                _ => throw new InvalidInputException($"invalid --since \"{text}\": durations use h, m and s"),
            };
            number = "";
        }
        if (number.Length > 0 || total == TimeSpan.Zero) throw new InvalidInputException($"invalid --since \"{text}\"");
        return now - total;
    }
}
