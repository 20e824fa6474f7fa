using System.Runtime.InteropServices;

namespace Skiff.Images;

/// <summary>The platform an image must be built for to run here, in the OCI spec's spelling (GOARCH
/// names), and the rule that picks it out of an image index.</summary>
public static class HostPlatform
{
    public static OciPlatform Current { get; } = RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => new OciPlatform { Os = "linux", Architecture = "amd64" },
        Architecture.Arm64 => new OciPlatform { Os = "linux", Architecture = "arm64", Variant = "v8" },
        Architecture.Arm => new OciPlatform { Os = "linux", Architecture = "arm", Variant = "v7" },
        Architecture.X86 => new OciPlatform { Os = "linux", Architecture = "386" },
        Architecture.Ppc64le => new OciPlatform { Os = "linux", Architecture = "ppc64le" },
        Architecture.S390x => new OciPlatform { Os = "linux", Architecture = "s390x" },
        Architecture.RiscV64 => new OciPlatform { Os = "linux", Architecture = "riscv64" },
        Architecture.LoongArch64 => new OciPlatform { Os = "linux", Architecture = "loong64" },
        var other => new OciPlatform { Os = "linux", Architecture = other.ToString().ToLowerInvariant() },
    };

    public static string Describe(OciPlatform p) => $"{p.Os}/{p.Architecture}" + (p.Variant is null ? "" : "/" + p.Variant);

    /// <summary>The index entry for <paramref name="want"/>, or null. An entry without a variant matches
    /// any variant (arm64 images rarely say "v8"); among several matches an exact variant wins.</summary>
    public static OciDescriptor? Choose(IEnumerable<OciDescriptor> manifests, OciPlatform want)
    {
        OciDescriptor? loose = null;
        foreach (var m in manifests)
        {
            if (m.Platform is not { } p || p.Os != want.Os || p.Architecture != want.Architecture)
                continue;
            if (p.Variant == want.Variant)
                return m;
            if (p.Variant is null || want.Variant is null)
                loose ??= m;
        }
        return loose;
    }
}
