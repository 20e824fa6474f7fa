using System.Globalization;
using System.Text.Json;
using Skiff.Runtime.Oci;
using Skiff.Runtime.Spec;

namespace Skiff.Cli.Runc;

/// <summary>runc update: new limits for a container's cgroup, from a linux.resources JSON (-r FILE, "-" for stdin) or from flags.</summary>
public static class UpdateVerb
{
    public static int Run(RuncContext context, List<string> args)
    {
        var parsed = RuncArguments.Parse(args, "update",
            ["resources|r", "memory", "memory-reservation", "memory-swap", "kernel-memory", "kernel-memory-tcp", "cpu-shares", "cpu-quota", "cpu-period",
             "cpu-rt-period", "cpu-rt-runtime", "cpuset-cpus", "cpuset-mems", "pids-limit", "blkio-weight", "l3-cache-schema", "mem-bw-schema"],
            []);
        var id = parsed.Id("update");
        var resources = parsed.Value("resources") is { } file ? ReadResources(file) : FromFlags(parsed);
        foreach (var warning in context.Runtime.Update(id, resources)) context.Log.Warn(warning);
        return 0;
    }

    private static LinuxResources ReadResources(string file)
    {
        try
        {
            var json = file == "-" ? Console.In.ReadToEnd() : File.ReadAllText(file);
            return JsonSerializer.Deserialize(json, OciJson.Default.LinuxResources) ?? new LinuxResources();
        }
        catch (JsonException e)
        {
            throw new OciException($"update: {file} is not a linux.resources JSON: {e.Message}");
        }
    }

    private static LinuxResources FromFlags(RuncArguments p)
    {
        MemoryResources? memory = null;
        if (p.Value("memory") is not null || p.Value("memory-reservation") is not null || p.Value("memory-swap") is not null)
            memory = new MemoryResources { Limit = Bytes(p, "memory"), Reservation = Bytes(p, "memory-reservation"), Swap = Bytes(p, "memory-swap") };
        CpuResources? cpu = null;
        if (new[] { "cpu-shares", "cpu-quota", "cpu-period", "cpuset-cpus", "cpuset-mems" }.Any(f => p.Value(f) is not null))
            cpu = new CpuResources
            {
                Shares = (ulong?)Number(p, "cpu-shares"), Quota = Number(p, "cpu-quota"), Period = (ulong?)Number(p, "cpu-period"),
                Cpus = p.Value("cpuset-cpus"), Mems = p.Value("cpuset-mems"),
            };
        return new LinuxResources
        {
            Memory = memory,
            Cpu = cpu,
            Pids = Number(p, "pids-limit") is { } pids ? new PidsResources(pids) : null,
            BlockIO = Number(p, "blkio-weight") is { } weight ? new BlockIoResources { Weight = (ushort)weight } : null,
        };
    }

    private static long? Number(RuncArguments p, string flag) =>
        p.Value(flag) is not { } text ? null
        : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
        : throw new OciException($"update: --{flag} \"{text}\" is not a number");

    /// <summary>Bytes with an optional k, m, g suffix (as runc's units.RAMInBytes); -1 is unlimited.</summary>
    private static long? Bytes(RuncArguments p, string flag)
    {
        if (p.Value(flag) is not { } text) return null;
        var trimmed = text.Trim().ToLowerInvariant().TrimEnd('b');
        var multiplier = trimmed.Length > 0 ? trimmed[^1] switch { 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, 't' => 1L << 40, _ => 1L } : 1L;
        var digits = multiplier == 1 ? trimmed : trimmed[..^1];
        return long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n < 0 ? -1 : n * multiplier
            : throw new OciException($"update: --{flag} \"{text}\" is not a size such as 512m or 1g");
    }
}
