using System.Text.Json;
using System.Text.Json.Serialization;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Seccomp;

/// <summary>
/// A seccomp profile as Docker reads one (<c>--security-opt seccomp=FILE</c>, and its built-in
/// default): the OCI spec's fields plus an architecture map and rules that apply only with some
/// capabilities, architectures or kernels. An OCI-style profile is one of these without the extras.
/// </summary>
public sealed record DockerSeccompProfile
{
    // Nullable, as everything here: the generated reader sets a missing property to null, whatever its initializer says.
    public string? DefaultAction { get; init; }
    public uint? DefaultErrnoRet { get; init; }
    public List<string>? Architectures { get; init; }
    public List<ArchMapEntry>? ArchMap { get; init; }
    public List<string>? Flags { get; init; }
    public string? ListenerPath { get; init; }
    public List<DockerSyscallRule>? Syscalls { get; init; }

    /// <summary>Go's name for this machine's architecture, which profiles' includes and excludes use.</summary>
    private const string GoArch = "amd64";
    private const string NativeArch = "SCMP_ARCH_X86_64";

    /// <summary>Docker's default profile (moby's profiles/seccomp/default.json), parsed once per process.</summary>
    public static DockerSeccompProfile Default => _default ??= LoadDefault();
    private static DockerSeccompProfile? _default;

    public static DockerSeccompProfile Parse(string json)
    {
        DockerSeccompProfile? profile;
        try { profile = JsonSerializer.Deserialize(json, SeccompJson.Default.DockerSeccompProfile); }
        catch (JsonException e) { throw new SeccompProfileException($"seccomp profile: not valid JSON ({e.Message}): check the file"); }
        if (profile?.DefaultAction is not { Length: > 0 })
            throw new SeccompProfileException("seccomp profile: no defaultAction: give one, such as \"SCMP_ACT_ERRNO\"");
        return profile!;
    }

    /// <summary>
    /// The OCI spec's linux.seccomp for a container with these (bounding) capabilities on this
    /// machine, as moby's seccomp.setupSeccomp makes it: rules kept only where their includes hold
    /// and their excludes do not.
    /// </summary>
    public SeccompSpec Resolve(IReadOnlyCollection<string> capabilities, Version kernel)
    {
        if (Architectures is { Count: > 0 } && ArchMap is { Count: > 0 })
            throw new SeccompProfileException("seccomp profile: both 'architectures' and 'archMap' are given: use one of them");
        var architectures = Architectures is { Count: > 0 } ? Architectures
            : ArchMap?.FirstOrDefault(a => a.Architecture == NativeArch) is { } native ? [native.Architecture, .. native.SubArchitectures ?? []]
            : null;
        var syscalls = new List<SyscallRuleSpec>();
        foreach (var rule in Syscalls ?? [])
        {
            if (rule.Name is { Length: > 0 } && rule.Names is { Count: > 0 })
                throw new SeccompProfileException($"seccomp profile: the rule for {rule.Name} has both 'name' and 'names': use one of them");
            if (rule.Excludes is { } ex && (ex.Arches?.Contains(GoArch) == true || ex.Caps?.Any(capabilities.Contains) == true)) continue;
            if (rule.Includes is { } inc && (inc.Arches is { Count: > 0 } arches && !arches.Contains(GoArch)
                || inc.Caps?.All(capabilities.Contains) == false
                || inc.MinKernel is { Length: > 0 } min && kernel < ParseKernel(min))) continue;
            syscalls.Add(new SyscallRuleSpec
            {
                Names = rule.Name is { Length: > 0 } name ? [name] : rule.Names ?? [],
                Action = rule.Action ?? "", ErrnoRet = rule.ErrnoRet, Args = rule.Args,
            });
        }
        return new SeccompSpec
        {
            DefaultAction = DefaultAction ?? "", DefaultErrnoRet = DefaultErrnoRet, Architectures = architectures,
            Flags = Flags, ListenerPath = ListenerPath, Syscalls = syscalls,
        };
    }

    /// <summary>The running kernel's version from its release string ("6.1.0-18-amd64" is 6.1).</summary>
    public static Version RunningKernel() => ParseKernel(File.ReadAllText("/proc/sys/kernel/osrelease"));

    internal static Version ParseKernel(string release)
    {
        var parts = release.Trim().Split('.', '-');
        return parts.Length >= 2 && int.TryParse(parts[0], out var major) && int.TryParse(parts[1], out var minor)
            ? new Version(major, minor)
            : throw new SeccompProfileException($"seccomp profile: \"{release.Trim()}\" is no kernel version: write it as MAJOR.MINOR, such as 4.8");
    }

    private static DockerSeccompProfile LoadDefault()
    {
        using var stream = typeof(DockerSeccompProfile).Assembly.GetManifestResourceStream("Skiff.Runtime.Seccomp.docker-default.json")
            ?? throw new InvalidOperationException("Docker's default seccomp profile is missing from this build of skiff");
        return JsonSerializer.Deserialize(stream, SeccompJson.Default.DockerSeccompProfile)!;
    }
}

public sealed record ArchMapEntry(string Architecture, List<string>? SubArchitectures);

public sealed record DockerSyscallRule
{
    /// <summary>The older single-syscall form.</summary>
    public string? Name { get; init; }
    public List<string>? Names { get; init; }
    public string? Action { get; init; }
    public uint? ErrnoRet { get; init; }
    public List<SyscallArgSpec>? Args { get; init; }
    public RuleCondition? Includes { get; init; }
    public RuleCondition? Excludes { get; init; }
}

/// <summary>When a rule applies: with all of these capabilities, on one of these (Go) architectures, from this kernel on.</summary>
public sealed record RuleCondition
{
    public List<string>? Caps { get; init; }
    public List<string>? Arches { get; init; }
    public string? MinKernel { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DockerSeccompProfile))]
[JsonSerializable(typeof(SeccompSpec))]
internal sealed partial class SeccompJson : JsonSerializerContext;
