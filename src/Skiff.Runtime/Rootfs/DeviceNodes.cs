using Skiff.Linux;

namespace Skiff.Runtime.Rootfs;

/// <summary>The devices every OCI container gets in /dev, and the links programs expect beside them.</summary>
public static class DeviceNodes
{
    public sealed record Device(string Name, uint Major, uint Minor);

    public static readonly IReadOnlyList<Device> Defaults =
    [
        new("null", 1, 3), new("zero", 1, 5), new("full", 1, 7),
        new("random", 1, 8), new("urandom", 1, 9), new("tty", 5, 0),
    ];

    public static readonly IReadOnlyList<(string Link, string Target)> Links =
    [
        ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"), ("ptmx", "pts/ptmx"), ("core", "/proc/kcore"),
    ];

    public static void Create(ISyscalls sys, string dev)
    {
        foreach (var d in Defaults) sys.Mknod($"{dev}/{d.Name}", 438 /* 0666 */, d.Major, d.Minor);
        foreach (var (link, target) in Links)
            if (!Path.Exists($"{dev}/{link}")) sys.Symlink(target, $"{dev}/{link}");
    }
}
