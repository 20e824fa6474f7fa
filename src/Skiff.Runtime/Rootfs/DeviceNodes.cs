using Skiff.Linux;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Rootfs;

/// <summary>The devices every OCI container gets in /dev, the links programs expect beside them, and the spec's own devices.</summary>
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

    /// <summary>The spec's linux.devices, made under <paramref name="rootfs"/> with their type, mode and owner.</summary>
    public static void CreateListed(ISyscalls sys, string rootfs, IEnumerable<LinuxDevice> devices)
    {
        foreach (var d in devices)
        {
            var path = RootfsPath.Resolve(rootfs, d.Path);
            sys.MkdirAll(Path.GetDirectoryName(path)!);
            if (Path.Exists(path)) File.Delete(path);
            sys.Mknod(path, TypeBits(d.Type) | (d.FileMode ?? 438) & 0xfff, (uint)d.Major, (uint)d.Minor);
            if (d.Uid is not null || d.Gid is not null) sys.Chown(path, d.Uid ?? 0, d.Gid ?? 0);
        }
    }

    private static uint TypeBits(string type) => type switch
    {
        "c" or "u" => 0x2000,
        "b" => 0x6000,
        "p" => 0x1000,
        _ => throw new ArgumentException($"device type \"{type}\" is not one of c, u, b, p"),
    };
}
