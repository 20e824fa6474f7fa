using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Oci;

/// <summary>
/// runc's device cgroup policy: after the spec's own rules (often "deny all"), the devices every
/// container gets in /dev and the ones listed in linux.devices stay usable, or nothing could even
/// open /dev/null.
/// </summary>
public static class DefaultDeviceRules
{
    private static readonly (string Type, long Major, long? Minor)[] Always =
    [
        ("c", 1, 3), ("c", 1, 5), ("c", 1, 7), ("c", 1, 8), ("c", 1, 9), // null zero full random urandom
        ("c", 5, 0), ("c", 5, 1), ("c", 5, 2), ("c", 136, null),         // tty console ptmx pts/*
        ("c", 10, 200),                                                   // net/tun
    ];

    public static RuntimeSpec Apply(RuntimeSpec spec)
    {
        if (spec.Linux.Resources is not { Devices: { Count: > 0 } rules } resources) return spec;
        var allowed = Always.Select(d => new DeviceRule { Allow = true, Type = d.Type, Major = d.Major, Minor = d.Minor, Access = "rwm" })
            // A fifo ("p") is no device to the device cgroup, which refuses a rule for one; it needs none.
            .Concat((spec.Linux.Devices ?? []).Where(d => d.Type != "p")
                .Select(d => new DeviceRule { Allow = true, Type = d.Type == "u" ? "c" : d.Type, Major = d.Major, Minor = d.Minor, Access = "rwm" }));
        return spec with { Linux = spec.Linux with { Resources = resources with { Devices = [.. rules, .. allowed] } } };
    }
}
