using Skiff.Linux;
using Skiff.Runtime.Seccomp;
using Skiff.Runtime.Spec;

namespace Skiff.Engine.Containers;

/// <summary>
/// Docker's <c>--security-opt</c> values that Skiff honours: <c>no-new-privileges[:true|false]</c>
/// and <c>seccomp=unconfined|PROFILE.json</c> (the older <c>KEY:VALUE</c> spelling too). A profile
/// is read and checked here, so a bad one is refused before anything is created, and the request
/// keeps its text as Docker keeps it: the container runs with what the file said when it was made.
/// </summary>
public static class SecurityOptions
{
    public const string Unconfined = "unconfined";

    public static (bool NoNewPrivileges, string? SeccompProfile) Parse(IEnumerable<string> options)
    {
        var noNewPrivileges = false;
        string? seccomp = null;
        foreach (var option in options)
        {
            var separator = option.IndexOfAny(['=', ':']);
            var (key, value) = separator < 0 ? (option, null) : (option[..separator], option[(separator + 1)..]);
            switch (key)
            {
                case "no-new-privileges":
                    noNewPrivileges = value switch
                    {
                        null or "true" => true,
                        "false" => false,
                        _ => throw new InvalidInputException($"invalid --security-opt \"{option}\": no-new-privileges takes true or false"),
                    };
                    break;
                case "seccomp" when value is { Length: > 0 }:
                    seccomp = value == Unconfined ? Unconfined : ReadProfile(value);
                    break;
                case "seccomp":
                    throw new InvalidInputException($"invalid --security-opt \"{option}\": give seccomp=unconfined or seccomp=PROFILE.json");
                default:
                    throw new InvalidInputException($"unsupported --security-opt \"{option}\" (supported: no-new-privileges, seccomp=unconfined|PROFILE.json)");
            }
        }
        return (noNewPrivileges, seccomp);
    }

    /// <summary>
    /// The filter a container's processes run under: none when privileged or unconfined, else its
    /// own profile or Docker's default, with the rules that the container's capabilities allow.
    /// </summary>
    public static SeccompSpec? Seccomp(RunRequest request, IReadOnlyCollection<string> capabilities)
    {
        if (request.Privileged || request.SeccompProfile == Unconfined) return null;
        StartTimeline.Mark("seccomp profile reading");
        var profile = request.SeccompProfile is { } text ? DockerSeccompProfile.Parse(text) : DockerSeccompProfile.Default;
        var spec = profile.Resolve(capabilities, DockerSeccompProfile.RunningKernel());
        StartTimeline.Mark("seccomp profile resolved");
        return spec;
    }

    private static string ReadProfile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // This build's exception messages are resource keys, not sentences (UseSystemResourceKeys).
            var why = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => "read error",
            };
            throw new InvalidInputException($"cannot read the seccomp profile \"{path}\" ({why}): give the path of a JSON profile, or seccomp=unconfined");
        }
        // Compiled once now, with Docker's default capabilities, so that a profile the filter cannot express is refused at once.
        SeccompCompiler.Compile(DockerSeccompProfile.Parse(text).Resolve(Capabilities.DockerDefault, DockerSeccompProfile.RunningKernel()));
        return text;
    }
}
