using System.Globalization;
using System.Text.Json;
using Skiff.Runtime.Oci;
using Skiff.Runtime.Spec;

namespace Skiff.Cli.Runc;

/// <summary>
/// runc exec: a process from --process (a runtime-spec "process" JSON) or from the command line,
/// on top of the container's own process settings, started in the running container.
/// </summary>
public static class ExecVerb
{
    public static int Run(RuncContext context, List<string> args)
    {
        var parsed = RuncArguments.Parse(args, "exec",
            ["process|p", "console-socket", "pid-file", "cwd", "env|e", "user|u", "cap|c", "additional-gids|g", "apparmor", "process-label", "preserve-fds", "pidfd-socket", "cgroup"],
            ["tty|t", "detach|d", "no-new-privs", "ignore-paused"]);
        var id = parsed.Id("exec");
        var process = parsed.Value("process") is { } file ? ReadProcess(file) : FromFlags(context, parsed, id);
        using var running = context.Runtime.Exec(id, process, parsed.Value("console-socket"), parsed.PreservedFds("exec"), parsed.Has("detach"));
        if (parsed.Value("pid-file") is { } pidFile)
        {
            File.WriteAllText(pidFile + ".tmp", running.Pid.ToString(CultureInfo.InvariantCulture));
            File.Move(pidFile + ".tmp", pidFile, overwrite: true);
        }
        if (parsed.Has("detach"))
        {
            running.Release();
            return 0;
        }
        return running.WaitForExit();
    }

    private static ProcessSpec ReadProcess(string file)
    {
        try
        {
            var json = file == "-" ? Console.In.ReadToEnd() : File.ReadAllText(file);
            return JsonSerializer.Deserialize(json, OciJson.Default.ProcessSpec) ?? throw new OciException($"exec: {file} is empty");
        }
        catch (JsonException e)
        {
            throw new OciException($"exec: --process {file} is not a runtime-spec process JSON: {e.Message}");
        }
        catch (FileNotFoundException)
        {
            throw new OciException($"exec: --process {file} does not exist");
        }
    }

    /// <summary>runc's rule: the container's own process settings, with the command line's arguments and overrides.</summary>
    private static ProcessSpec FromFlags(RuncContext context, RuncArguments parsed, string id)
    {
        if (parsed.Positional.Count < 2) throw new OciException("exec: missing the command: skiff-runc exec [flags] <container-id> <command> [args...]");
        var container = context.Runtime.Root.Load(id).Spec.Process;
        var user = container.User;
        if (parsed.Value("user") is { } u)
        {
            var parts = u.Split(':', 2);
            user = new UserSpec
            {
                Uid = ParseId(parts[0], "--user"),
                Gid = parts.Length > 1 ? ParseId(parts[1], "--user") : 0,
            };
        }
        if (parsed.Values("additional-gids") is { Count: > 0 } gids)
            user = user with { AdditionalGids = gids.Select(g => ParseId(g, "--additional-gids")).ToList() };
        var caps = container.Capabilities ?? new CapabilitiesSpec();
        foreach (var cap in parsed.Values("cap"))
            caps = caps with
            {
                Bounding = [.. caps.Bounding, cap], Effective = [.. caps.Effective, cap],
                Permitted = [.. caps.Permitted, cap], Ambient = [.. caps.Ambient, cap],
            };
        var env = container.Env.ToList();
        foreach (var entry in parsed.Values("env"))
        {
            var name = entry.Split('=', 2)[0] + "=";
            env.RemoveAll(e => e.StartsWith(name, StringComparison.Ordinal));
            env.Add(entry);
        }
        return container with
        {
            Args = parsed.Positional.Skip(1).ToList(),
            Terminal = parsed.Has("tty"),
            Cwd = parsed.Value("cwd") ?? container.Cwd,
            Env = env,
            User = user,
            Capabilities = caps,
            NoNewPrivileges = container.NoNewPrivileges || parsed.Has("no-new-privs"),
        };
    }

    private static uint ParseId(string text, string flag) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new OciException($"exec: {flag} \"{text}\" must be numeric (uid[:gid]), as runc takes it");
}
