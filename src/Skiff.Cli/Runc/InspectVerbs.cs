using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Skiff.Runtime.Cgroups;
using Skiff.Runtime.Oci;

namespace Skiff.Cli.Runc;

/// <summary>state, list, ps, events and features: what a runtime tells about its containers and itself.</summary>
public static class InspectVerbs
{
    public static int State(RuncContext context, List<string> args)
    {
        var view = context.Runtime.State(RuncArguments.Parse(args, "state", [], []).Id("state"));
        Console.Out.WriteLine(JsonSerializer.Serialize(view, OciJsonIndented.Default.OciStateView));
        return 0;
    }

    public static int List(RuncContext context, List<string> args)
    {
        var parsed = RuncArguments.Parse(args, "list", ["format|f"], ["quiet|q"]);
        var views = context.Runtime.List();
        if (parsed.Has("quiet"))
            foreach (var v in views) Console.Out.WriteLine(v.Id);
        else if (parsed.Value("format") == "json")
            Console.Out.WriteLine(JsonSerializer.Serialize(views.ToList(), OciJson.Default.ListOciStateView));
        else
        {
            var rows = views.Select(v => new[] { v.Id, v.Pid.ToString(CultureInfo.InvariantCulture), v.Status, v.Bundle, v.Created.ToString("o", CultureInfo.InvariantCulture), v.Owner }).ToList();
            Console.Out.Write(Table(["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"], rows));
        }
        return 0;
    }

    /// <summary>runc ps: the pids as JSON, or ps(1)'s own table (with the caller's ps options) cut to the container's processes.</summary>
    public static int Processes(RuncContext context, List<string> args)
    {
        var parsed = RuncArguments.Parse(args, "ps", ["format|f"], []);
        var pids = context.Runtime.Processes(parsed.Id("ps"));
        if (parsed.Value("format") == "json")
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(pids.ToList(), OciJson.Default.ListInt32));
            return 0;
        }
        List<string> psArgs = parsed.Positional.Count > 1 ? parsed.Positional.Skip(1).ToList() : ["-ef"];
        var start = new ProcessStartInfo("ps") { RedirectStandardOutput = true, UseShellExecute = false };
        psArgs.ForEach(start.ArgumentList.Add);
        using var ps = Process.Start(start)!;
        var lines = ps.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        ps.WaitForExit();
        if (lines.Length == 0) return 0;
        var pidColumn = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
        if (pidColumn < 0) throw new OciException("ps: the ps options given print no PID column: include it (the default is -ef)");
        Console.Out.WriteLine(lines[0]);
        var wanted = pids.ToHashSet();
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > pidColumn && int.TryParse(fields[pidColumn], CultureInfo.InvariantCulture, out var pid) && wanted.Contains(pid))
                Console.Out.WriteLine(line);
        }
        return 0;
    }

    /// <summary>runc events: one stats event with --stats, otherwise one every --interval until the container stops.</summary>
    public static int Events(RuncContext context, List<string> args)
    {
        var parsed = RuncArguments.Parse(args, "events", ["interval"], ["stats"]);
        var id = parsed.Id("events");
        var interval = ParseInterval(parsed.Value("interval") ?? "5s");
        while (true)
        {
            Console.Out.WriteLine(StatsEvent(id, context.Runtime.Stats(id)));
            Console.Out.Flush();
            if (parsed.Has("stats")) return 0;
            Thread.Sleep(interval);
            if (context.Runtime.State(id).Status == "stopped") return 0;
        }
    }

    public static int Features(List<string> args)
    {
        RuncArguments.Parse(args, "features", [], []);
        using var stdout = Console.OpenStandardOutput();
        using var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("ociVersionMin", "1.0.0");
        w.WriteString("ociVersionMax", "1.0.2-dev");
        WriteArray(w, "hooks", ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]);
        WriteArray(w, "mountOptions", Skiff.Runtime.Rootfs.MountOptions.Known);
        w.WriteStartObject("linux");
        WriteArray(w, "namespaces", ["cgroup", "ipc", "mount", "network", "pid", "uts"]);
        WriteArray(w, "capabilities", Skiff.Linux.Capabilities.Names);
        w.WriteStartObject("cgroup");
        w.WriteBoolean("v1", true);
        w.WriteBoolean("v2", true);
        w.WriteBoolean("systemd", false);
        w.WriteBoolean("systemdUser", false);
        w.WriteEndObject();
        w.WriteStartObject("seccomp");
        w.WriteBoolean("enabled", false);
        w.WriteEndObject();
        w.WriteStartObject("apparmor");
        w.WriteBoolean("enabled", false);
        w.WriteEndObject();
        w.WriteStartObject("selinux");
        w.WriteBoolean("enabled", false);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.Flush();
        stdout.Write("\n"u8);
        return 0;
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IEnumerable<string> items)
    {
        w.WriteStartArray(name);
        foreach (var item in items) w.WriteStringValue(item);
        w.WriteEndArray();
    }

    /// <summary>runc's stats event shape, the part cgroups fill: cpu, memory, pids, blkio.</summary>
    private static string StatsEvent(string id, CgroupStats stats)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "stats");
            w.WriteString("id", id);
            w.WriteStartObject("data");
            w.WriteStartObject("cpu");
            w.WriteStartObject("usage");
            w.WriteNumber("total", stats.CpuNanoseconds);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("memory");
            w.WriteStartObject("usage");
            w.WriteNumber("usage", stats.MemoryUsage);
            if (stats.MemoryLimit is { } limit) w.WriteNumber("limit", limit);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("pids");
            w.WriteNumber("current", stats.Pids);
            w.WriteEndObject();
            w.WriteStartObject("blkio");
            w.WriteNumber("read", stats.BlockRead);
            w.WriteNumber("write", stats.BlockWrite);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static TimeSpan ParseInterval(string text)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001) : text.EndsWith('s') ? (text[..^1], 1.0) : text.EndsWith('m') ? (text[..^1], 60.0) : (text, 1.0);
        return double.TryParse(number, CultureInfo.InvariantCulture, out var value) && value > 0
            ? TimeSpan.FromSeconds(value * unit)
            : throw new OciException($"events: --interval \"{text}\" is not a duration such as 5s or 500ms");
    }

    private static string Table(string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new System.Text.StringBuilder();
        foreach (var row in rows.Prepend(header))
            text.AppendLine(string.Join("   ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))));
        return text.ToString();
    }
}
