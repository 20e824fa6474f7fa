using Skiff.Linux;

namespace Skiff.Engine;

/// <summary>
/// Docker's three ways of asking for a mount (-v, --mount and --tmpfs), with its rules and its
/// error messages, so that a command line that works with Docker works here and one that fails
/// there fails here the same way.
/// </summary>
public static class MountSyntax
{
    private static readonly HashSet<string> Propagations = ["private", "rprivate", "shared", "rshared", "slave", "rslave"];
    private static readonly HashSet<string> TmpfsFlags =
        ["ro", "rw", "exec", "noexec", "suid", "nosuid", "dev", "nodev", "atime", "noatime", "diratime", "nodiratime",
         "relatime", "norelatime", "strictatime", "nostrictatime"];
    private static readonly HashSet<string> TmpfsKeys = ["size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol"];

    /// <summary>-v [SOURCE:]TARGET[:MODE]: an absolute source is a bind, any other a volume name, none an anonymous volume.</summary>
    public static MountRequest ParseVolume(string spec)
    {
        var parts = spec.Split(':');
        if (parts[0].Length == 0) throw InvalidSpec(spec);
        (string? source, string target, string mode) = parts switch
        {
            [var t] => (null, t, ""),
            // A destination plus a mode names no volume at all (e.g. /foo:rw).
            [_, var m] when IsValidMode(m) => throw InvalidSpec(spec),
            [var s, var t] => (s, t, ""),
            [var s, var t, var m] => (s, t, m),
            _ => throw InvalidSpec(spec),
        };
        if (!IsValidMode(mode)) throw new InvalidInputException($"invalid mode: {mode}");
        string[] modes = mode.Length == 0 ? [] : mode.Split(',');
        source = source is "." || source?.StartsWith("./", StringComparison.Ordinal) == true || source?.StartsWith("../", StringComparison.Ordinal) == true
            ? Path.GetFullPath(source) : source;
        var type = source is null || !source.StartsWith('/') ? MountType.Volume : MountType.Bind;
        if (type == MountType.Volume && source is not null) ValidateVolumeName(source);
        if (type == MountType.Bind && modes.Contains("nocopy"))
            throw InvalidConfig(type, "field VolumeOptions must not be specified");
        return new MountRequest
        {
            Type = type,
            Source = type == MountType.Bind ? Clean(source!) : source,
            Target = Target(type, target),
            ReadOnly = modes.Contains("ro"),
            Propagation = type == MountType.Bind ? modes.FirstOrDefault(Propagations.Contains) : null,
            NoCopy = modes.Contains("nocopy"),
            CreateHostPath = true,
            Anonymous = source is null,
            Mode = mode,
        };
    }

    /// <summary>--mount type=bind|volume|tmpfs,source=,target=,readonly,bind-propagation=,volume-nocopy,tmpfs-size=,tmpfs-mode=</summary>
    public static MountRequest ParseMount(string spec)
    {
        var (type, source, target) = (MountType.Volume, (string?)null, (string?)null);
        var (readOnly, noCopy) = (false, false);
        string? propagation = null;
        var tmpfs = new List<string>();
        var optionKinds = new HashSet<string>();
        foreach (var field in spec.Split(','))
        {
            var kv = field.Split('=', 2);
            var key = kv[0].Trim().ToLowerInvariant();
            if (kv.Length == 1 && key is "readonly" or "ro") { readOnly = true; continue; }
            if (kv.Length == 1 && key == "volume-nocopy") { noCopy = true; optionKinds.Add("volume"); continue; }
            if (kv.Length == 1) throw new InvalidInputException($"invalid field '{field}' must be a key=value pair");
            var value = kv[1];
            switch (key)
            {
                case "type":
                    type = value.ToLowerInvariant() switch
                    {
                        "bind" => MountType.Bind,
                        "volume" => MountType.Volume,
                        "tmpfs" => MountType.Tmpfs,
                        _ => throw new InvalidInputException($"invalid mount config for type \"{value}\": mount type unknown (use bind, volume or tmpfs)"),
                    };
                    break;
                case "source" or "src": source = value; break;
                case "target" or "dst" or "destination": target = value; break;
                case "readonly" or "ro": readOnly = Bool(key, value); break;
                case "consistency": break;
                case "bind-propagation":
                    propagation = Propagations.Contains(value) ? value : throw new InvalidInputException($"invalid value for {key}: {value}");
                    optionKinds.Add("bind");
                    break;
                case "volume-nocopy": noCopy = Bool(key, value); optionKinds.Add("volume"); break;
                case "tmpfs-size":
                    tmpfs.Add($"size={Positive(key, value, () => ByteSize.Parse(value))}");
                    optionKinds.Add("tmpfs");
                    break;
                case "tmpfs-mode":
                    tmpfs.Add($"mode={Convert.ToString(Positive(key, value, () => Convert.ToInt64(value, 8)), 8)}");
                    optionKinds.Add("tmpfs");
                    break;
                default: throw new InvalidInputException($"unexpected key '{key}' in '{field}'");
            }
        }
        if (string.IsNullOrEmpty(target)) throw new InvalidInputException("target is required");
        var typeName = Name(type);
        if (optionKinds.FirstOrDefault(k => k != typeName) is { } mixed)
            throw new InvalidInputException($"cannot mix '{mixed}-*' options with mount type '{typeName}'");
        if (type == MountType.Tmpfs && !string.IsNullOrEmpty(source)) throw InvalidConfig(type, "source must not be specified");
        if (type == MountType.Bind)
        {
            if (string.IsNullOrEmpty(source)) throw InvalidConfig(type, "field Source must not be empty");
            if (!source.StartsWith('/')) throw InvalidConfig(type, $"invalid mount path: '{source}' mount path must be absolute");
            if (!Path.Exists(source)) throw InvalidConfig(type, $"bind source path does not exist: {source}");
        }
        if (type == MountType.Volume && !string.IsNullOrEmpty(source)) ValidateVolumeName(source);
        return new MountRequest
        {
            Type = type,
            Source = type == MountType.Bind ? Clean(source!) : string.IsNullOrEmpty(source) ? null : source,
            Target = Target(type, target),
            ReadOnly = readOnly,
            Propagation = propagation,
            NoCopy = noCopy,
            Anonymous = type == MountType.Volume && string.IsNullOrEmpty(source),
            TmpfsOptions = tmpfs,
        };
    }

    /// <summary>--tmpfs PATH[:OPTIONS], the options being tmpfs's own (size=64m,mode=1777,exec...).</summary>
    public static MountRequest ParseTmpfs(string spec)
    {
        var parts = spec.Split(':', 2);
        string[] options = parts.Length == 2 && parts[1].Length > 0 ? parts[1].Split(',') : [];
        foreach (var option in options)
        {
            var key = option.Split('=', 2)[0];
            if (option.Contains('=') ? !TmpfsKeys.Contains(key) : !TmpfsFlags.Contains(option))
                throw new InvalidInputException($"invalid tmpfs option \"{option}\" for {parts[0]}: use size=, mode=, uid=, gid=, nr_inodes=, exec, ro and the like");
        }
        return new MountRequest
        {
            Type = MountType.Tmpfs,
            Target = Target(MountType.Tmpfs, parts[0]),
            ReadOnly = options.Contains("ro"),
            TmpfsOptions = options.Where(o => o is not ("ro" or "rw")).ToList(),
        };
    }

    /// <summary>Two mounts on one target would hide each other; Docker refuses them.</summary>
    public static void CheckDuplicates(IEnumerable<MountRequest> mounts)
    {
        var seen = new HashSet<string>();
        foreach (var m in mounts)
            if (!seen.Add(m.Target)) throw new InvalidInputException($"Duplicate mount point: {m.Target}");
    }

    /// <summary>Docker's local volume names: the same rule as container names.</summary>
    public static void ValidateVolumeName(string name)
    {
        if (name.Length < 2 || !char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            throw new InvalidInputException($"\"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path");
    }

    public static string Name(MountType type) => type.ToString().ToLowerInvariant();

    private static bool IsValidMode(string mode)
    {
        if (mode.Length == 0) return true;
        int rw = 0, label = 0, propagation = 0, copy = 0;
        foreach (var o in mode.Split(','))
        {
            if (o is "rw" or "ro") rw++;
            else if (o is "z" or "Z") label++;
            else if (Propagations.Contains(o)) propagation++;
            else if (o == "nocopy") copy++;
            else return false;
        }
        return rw <= 1 && label <= 1 && propagation <= 1 && copy <= 1;
    }

    private static string Target(MountType type, string target)
    {
        if (!target.StartsWith('/')) throw InvalidConfig(type, $"invalid mount path: '{target}' mount path must be absolute");
        var clean = Clean(target);
        return clean == "/" ? throw InvalidConfig(type, "invalid specification: destination can't be '/'") : clean;
    }

    /// <summary>Go's path.Clean for an absolute path: no empty, "." or ".." parts, no trailing slash.</summary>
    private static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }

    private static bool Bool(string key, string value) => value.ToLowerInvariant() switch
    {
        "1" or "t" or "true" => true,
        "0" or "f" or "false" => false,
        _ => throw new InvalidInputException($"invalid value for {key}: {value}"),
    };

    private static long Positive(string key, string value, Func<long> parse)
    {
        try
        {
            var n = parse();
            return n >= 0 ? n : throw new InvalidInputException($"invalid value for {key}: {value}");
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidInputException)
        {
            throw new InvalidInputException($"invalid value for {key}: {value}");
        }
    }

    private static InvalidInputException InvalidSpec(string spec) => new($"invalid volume specification: '{spec}'");

    private static InvalidInputException InvalidConfig(MountType type, string why) => new($"invalid mount config for type \"{Name(type)}\": {why}");
}
