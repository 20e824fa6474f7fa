using Skiff.Linux;

namespace Skiff.Runtime.Rootfs;

/// <summary>An OCI mount's option list split into what mount(2) takes as flags and what it takes as data.</summary>
public sealed record MountOptions(MountFlags Flags, MountFlags Propagation, string? Data, bool IsBind)
{
    private static readonly Dictionary<string, (MountFlags Set, MountFlags Clear)> FlagWords = new()
    {
        ["ro"] = (MountFlags.ReadOnly, 0), ["rw"] = (0, MountFlags.ReadOnly),
        ["nosuid"] = (MountFlags.NoSuid, 0), ["suid"] = (0, MountFlags.NoSuid),
        ["nodev"] = (MountFlags.NoDev, 0), ["dev"] = (0, MountFlags.NoDev),
        ["noexec"] = (MountFlags.NoExec, 0), ["exec"] = (0, MountFlags.NoExec),
        ["noatime"] = (MountFlags.NoAtime, 0), ["atime"] = (0, MountFlags.NoAtime),
        ["nodiratime"] = (MountFlags.NoDirAtime, 0), ["diratime"] = (0, MountFlags.NoDirAtime),
        ["relatime"] = (MountFlags.RelAtime, 0), ["norelatime"] = (0, MountFlags.RelAtime),
        ["strictatime"] = (MountFlags.StrictAtime, 0), ["nostrictatime"] = (0, MountFlags.StrictAtime),
        ["bind"] = (MountFlags.Bind, 0), ["rbind"] = (MountFlags.Bind | MountFlags.Recursive, 0),
        ["defaults"] = (0, 0),
    };

    private static readonly Dictionary<string, MountFlags> PropagationWords = new()
    {
        ["private"] = MountFlags.Private, ["rprivate"] = MountFlags.Private | MountFlags.Recursive,
        ["slave"] = MountFlags.Slave, ["rslave"] = MountFlags.Slave | MountFlags.Recursive,
        ["shared"] = MountFlags.Shared, ["rshared"] = MountFlags.Shared | MountFlags.Recursive,
    };

    /// <summary>Every option word understood as a flag or propagation; others go to the filesystem as data.</summary>
    public static IEnumerable<string> Known => FlagWords.Keys.Concat(PropagationWords.Keys);

    public static MountOptions Parse(string? type, IEnumerable<string>? options)
    {
        MountFlags flags = 0, propagation = 0;
        var data = new List<string>();
        foreach (var option in options ?? [])
        {
            if (FlagWords.TryGetValue(option, out var f)) flags = (flags | f.Set) & ~f.Clear;
            else if (PropagationWords.TryGetValue(option, out var p)) propagation = p;
            else data.Add(option);
        }
        var isBind = type == "bind" || flags.HasFlag(MountFlags.Bind);
        if (isBind) flags |= MountFlags.Bind;
        return new MountOptions(flags, propagation, data.Count == 0 ? null : string.Join(',', data), isBind);
    }

    /// <summary>Flags that a bind mount only takes on a second, remounting call.</summary>
    public MountFlags RemountFlags => Flags & ~(MountFlags.Bind | MountFlags.Recursive);
}
