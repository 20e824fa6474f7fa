using System.Text.Json;
using System.Text.RegularExpressions;
using Skiff.Engine.Build.Dockerfile;
using Skiff.Images;

namespace Skiff.Engine.Build;

/// <summary>
/// The instructions that change only the image's config, never its files: ENV, LABEL, EXPOSE, USER,
/// WORKDIR (its path; the builder creates the directory), CMD, ENTRYPOINT, VOLUME, STOPSIGNAL,
/// HEALTHCHECK, ONBUILD, SHELL and MAINTAINER, with Docker's semantics and variable expansion.
/// Pure functions of the config before, so every rule is unit-tested.
/// </summary>
public static partial class ConfigInstructions
{
    public static readonly IReadOnlyList<string> DefaultShell = ["/bin/sh", "-c"];

    public static bool Handles(string keyword) => keyword is "ENV" or "LABEL" or "EXPOSE" or "USER" or "WORKDIR" or "CMD"
        or "ENTRYPOINT" or "VOLUME" or "STOPSIGNAL" or "HEALTHCHECK" or "ONBUILD" or "SHELL" or "MAINTAINER";

    /// <param name="env">the variables in scope (ARGs, overridden by ENV) for expansion.</param>
    /// <param name="cmdSetInStage">whether this stage set CMD already: an ENTRYPOINT clears an inherited CMD only.</param>
    /// <returns>The new config and how the step is recorded in the image's history.</returns>
    public static (OciImageConfig Image, string CreatedBy) Apply(
        Instruction instruction, OciImageConfig image, IReadOnlyDictionary<string, string> env, ShellWords words, bool cmdSetInStage)
    {
        var c = image.Config ?? new OciContainerConfig();
        var shell = c.Shell ?? DefaultShell;
        string Expand(string text) => words.Word(text, env);
        switch (instruction.Keyword)
        {
            case "ENV":
            {
                var pairs = Pairs(instruction, words, env);
                var merged = (c.Env ?? []).ToList();
                foreach (var (key, value) in pairs)
                {
                    merged.RemoveAll(e => e.Split('=', 2)[0] == key);
                    merged.Add($"{key}={value}");
                }
                return (image with { Config = c with { Env = merged } }, "ENV " + string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")));
            }
            case "LABEL":
            {
                var pairs = Pairs(instruction, words, env);
                var labels = c.Labels?.ToDictionary(StringComparer.Ordinal) ?? new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (key, value) in pairs)
                    labels[key] = value;
                return (image with { Config = c with { Labels = labels } }, "LABEL " + string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")));
            }
            case "MAINTAINER":
                return (image with { Author = Expand(instruction.Text) }, "MAINTAINER " + Expand(instruction.Text));
            case "EXPOSE":
            {
                var ports = c.ExposedPorts?.ToDictionary(StringComparer.Ordinal) ?? new Dictionary<string, EmptyObject>(StringComparer.Ordinal);
                foreach (var port in words.Words(instruction.Text, env).SelectMany(p => PortKeys(p, instruction)))
                    ports[port] = new EmptyObject();
                return (image with { Config = c with { ExposedPorts = ports } }, "EXPOSE " + string.Join(' ', ports.Keys.Order(StringComparer.Ordinal)));
            }
            case "USER":
            {
                var user = Expand(instruction.Text);
                if (user.Length == 0)
                    throw Invalid(instruction, "USER needs a user name or id: USER NAME[:GROUP]");
                return (image with { Config = c with { User = user } }, "USER " + user);
            }
            case "WORKDIR":
            {
                var dir = WorkingDir(c.WorkingDir, Expand(instruction.Text), instruction);
                return (image with { Config = c with { WorkingDir = dir } }, "WORKDIR " + dir);
            }
            case "CMD":
            {
                var cmd = CommandForm(instruction, shell);
                return (image with { Config = c with { Cmd = cmd } }, "CMD " + JsonForm(cmd));
            }
            case "ENTRYPOINT":
            {
                var entrypoint = CommandForm(instruction, shell);
                return (image with { Config = c with { Entrypoint = entrypoint, Cmd = cmdSetInStage ? c.Cmd : null } }, "ENTRYPOINT " + JsonForm(entrypoint));
            }
            case "VOLUME":
            {
                var paths = instruction.ExecForm?.Select(Expand).ToList() ?? words.Words(instruction.Text, env).ToList();
                if (paths.Count == 0 || paths.Any(p => p.Length == 0))
                    throw Invalid(instruction, "VOLUME needs at least one path: VOLUME /data");
                var volumes = c.Volumes?.ToDictionary(StringComparer.Ordinal) ?? new Dictionary<string, EmptyObject>(StringComparer.Ordinal);
                foreach (var path in paths)
                    volumes[path] = new EmptyObject();
                return (image with { Config = c with { Volumes = volumes } }, "VOLUME " + JsonForm(paths));
            }
            case "STOPSIGNAL":
            {
                var signal = Expand(instruction.Text);
                if (signal.Length == 0)
                    throw Invalid(instruction, "STOPSIGNAL needs a signal: STOPSIGNAL SIGTERM");
                return (image with { Config = c with { StopSignal = signal } }, "STOPSIGNAL " + signal);
            }
            case "HEALTHCHECK":
            {
                var check = Healthcheck(instruction, shell);
                return (image with { Config = c with { Healthcheck = check } }, "HEALTHCHECK " + JsonForm(check.Test));
            }
            case "ONBUILD":
            {
                var trigger = instruction.Text.Trim();
                var keyword = trigger.Split(' ', 2)[0].ToUpperInvariant();
                if (keyword is "ONBUILD" or "FROM" or "MAINTAINER" || trigger.Length == 0)
                    throw Invalid(instruction, $"ONBUILD takes an instruction other than ONBUILD, FROM or MAINTAINER");
                return (image with { Config = c with { OnBuild = [.. c.OnBuild ?? [], trigger] } }, "ONBUILD " + trigger);
            }
            case "SHELL":
            {
                if (instruction.ExecForm is not { Count: > 0 } newShell)
                    throw Invalid(instruction, "SHELL takes a JSON array: SHELL [\"/bin/bash\", \"-c\"]");
                return (image with { Config = c with { Shell = newShell } }, "SHELL " + JsonForm(newShell));
            }
            default:
                throw new ArgumentException($"{instruction.Keyword} does not change the config alone", nameof(instruction));
        }
    }

    /// <summary>A WORKDIR's path: relative ones are taken from the current one; cleaned like a path.</summary>
    public static string WorkingDir(string? current, string path, Instruction instruction)
    {
        if (path.Length == 0)
            throw Invalid(instruction, "WORKDIR needs a path: WORKDIR /app");
        var joined = path.StartsWith('/') ? path : (string.IsNullOrEmpty(current) ? "/" : current) + "/" + path;
        return Context.IgnorePatterns.CleanPath(joined);
    }

    /// <summary>CMD/ENTRYPOINT/RUN: the exec form as written, or the shell form run by the stage's SHELL.</summary>
    public static IReadOnlyList<string> CommandForm(Instruction instruction, IReadOnlyList<string> shell) =>
        instruction.ExecForm ?? [.. shell, instruction.Text];

    private static List<KeyValuePair<string, string>> Pairs(Instruction instruction, ShellWords words, IReadOnlyDictionary<string, string> env)
    {
        var raw = words.Pairs(instruction.Text, legacyAllowed: true, valueRequired: true);
        if (raw.Count == 0)
            throw Invalid(instruction, $"{instruction.Keyword} needs at least one NAME=VALUE");
        return raw.Select(p => new KeyValuePair<string, string>(words.Word(p.Key, env), words.Word(p.Value!, env))).ToList();
    }

    private static IEnumerable<string> PortKeys(string text, Instruction instruction)
    {
        var slash = text.IndexOf('/');
        var (ports, proto) = slash < 0 ? (text, "tcp") : (text[..slash], text[(slash + 1)..].ToLowerInvariant());
        if (proto is not ("tcp" or "udp" or "sctp"))
            throw Invalid(instruction, $"invalid protocol in port '{text}': use tcp, udp or sctp");
        var dash = ports.IndexOf('-');
        if (!ushort.TryParse(dash < 0 ? ports : ports[..dash], out var first) || first == 0)
            throw Invalid(instruction, $"invalid port '{text}': ports are numbers from 1 to 65535, as in EXPOSE 80/tcp");
        var last = first;
        if (dash >= 0 && (!ushort.TryParse(ports[(dash + 1)..], out last) || last < first))
            throw Invalid(instruction, $"invalid port range '{text}': write FIRST-LAST with FIRST <= LAST");
        for (var p = (int)first; p <= last; p++)
            yield return $"{p}/{proto}";
    }

    private static OciHealthcheck Healthcheck(Instruction instruction, IReadOnlyList<string> shell)
    {
        var text = instruction.Text.Trim();
        if (text.Equals("NONE", StringComparison.OrdinalIgnoreCase))
            return new OciHealthcheck { Test = ["NONE"] };
        var space = text.IndexOfAny([' ', '\t']);
        if (space < 0 || !text[..space].Equals("CMD", StringComparison.OrdinalIgnoreCase))
            throw Invalid(instruction, "HEALTHCHECK takes NONE or [OPTIONS] CMD COMMAND");
        var command = text[(space + 1)..].Trim();
        string[]? exec = null;
        if (command.StartsWith('['))
        {
            try { exec = JsonSerializer.Deserialize(command, BuildJsonContext.Default.StringArray); }
            catch (JsonException) { exec = null; }
        }
        return new OciHealthcheck
        {
            Test = exec is not null ? ["CMD", .. exec] : ["CMD-SHELL", command],
            Interval = Duration(instruction, "interval"),
            Timeout = Duration(instruction, "timeout"),
            StartPeriod = Duration(instruction, "start-period"),
            StartInterval = Duration(instruction, "start-interval"),
            Retries = instruction.Flag("retries") is { } r
                ? int.TryParse(r, out var retries) && retries > 0 ? retries : throw Invalid(instruction, $"--retries={r} must be a whole number above 0")
                : null,
        };
    }

    [GeneratedRegex(@"^(?:(\d+(?:\.\d+)?)(h|m|s|ms|us|µs|ns))+$")]
    private static partial Regex GoDuration();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)")]
    private static partial Regex DurationPart();

    /// <summary>A Go duration ("30s", "1m30s", "500ms") in nanoseconds; null when the flag is absent.</summary>
    public static long? ParseDuration(string text) =>
        !GoDuration().IsMatch(text) ? throw new FormatException($"invalid duration '{text}': write it as Go does, e.g. 30s, 1m30s or 500ms")
            : (long)DurationPart().Matches(text).Sum(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * m.Groups[2].Value switch
            {
                "h" => 3.6e12, "m" => 6e10, "s" => 1e9, "ms" => 1e6, "us" or "µs" => 1e3, _ => 1,
            });

    private static long? Duration(Instruction instruction, string flag)
    {
        if (instruction.Flag(flag) is not { } text)
            return null;
        try
        {
            return ParseDuration(text);
        }
        catch (FormatException e)
        {
            throw Invalid(instruction, $"--{flag}: {e.Message}");
        }
    }

    /// <summary>["a" "b"], as BuildKit writes commands into the history.</summary>
    public static string JsonForm(IEnumerable<string> parts) => "[" + string.Join(' ', parts.Select(p => JsonSerializer.Serialize(p, BuildJsonContext.Default.String))) + "]";

    public static DockerfileException Invalid(Instruction instruction, string message) =>
        new($"Dockerfile line {instruction.Line}: {message}");
}
