using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Start;

/// <summary>
/// The part of the runtime spec that init acts on, in a compact binary form sent down the sync pipe.
/// Init never parses JSON: a cold System.Text.Json deserialization costs more than the rest of the
/// container start (measured 60–120 ms against about 1 ms for this), and init is on that path.
/// Resources, the cgroup path and annotations stay with the parent, which applies them.
/// </summary>
internal static class InitSpecCodec
{
    public static byte[] Encode(RuntimeSpec spec)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer))
        {
            var p = spec.Process;
            w.Write(p.Terminal);
            w.Write(p.ConsoleSize?.Height ?? 0);
            w.Write(p.ConsoleSize?.Width ?? 0);
            WriteList(w, p.Args);
            WriteList(w, p.Env);
            w.Write(p.Cwd);
            w.Write(p.User.Uid);
            w.Write(p.User.Gid);
            WriteList(w, (p.User.AdditionalGids ?? []).Select(g => g.ToString()).ToList());
            WriteOptional(w, p.User.Username);
            var caps = p.Capabilities ?? new CapabilitiesSpec();
            foreach (var set in new[] { caps.Bounding, caps.Effective, caps.Inheritable, caps.Permitted, caps.Ambient })
                WriteList(w, set);
            w.Write(p.NoNewPrivileges);

            w.Write(spec.Root.Path);
            w.Write(spec.Root.Readonly);
            WriteOptional(w, spec.Hostname);
            w.Write(spec.Mounts.Count);
            foreach (var m in spec.Mounts)
            {
                w.Write(m.Destination);
                WriteOptional(w, m.Type);
                WriteOptional(w, m.Source);
                WriteList(w, m.Options ?? []);
            }

            var linux = spec.Linux;
            w.Write(linux.Namespaces.Count);
            foreach (var ns in linux.Namespaces)
            {
                w.Write(ns.Type);
                WriteOptional(w, ns.Path);
            }
            WriteList(w, linux.MaskedPaths ?? []);
            WriteList(w, linux.ReadonlyPaths ?? []);
            w.Write(linux.Overlay is not null);
            if (linux.Overlay is { } o)
            {
                WriteList(w, o.LowerDirs);
                w.Write(o.UpperDir);
                w.Write(o.WorkDir);
            }
        }
        return buffer.ToArray();
    }

    public static RuntimeSpec Decode(byte[] data)
    {
        using var r = new BinaryReader(new MemoryStream(data));
        var terminal = r.ReadBoolean();
        var (height, width) = (r.ReadUInt32(), r.ReadUInt32());
        var args = ReadList(r);
        var env = ReadList(r);
        var cwd = r.ReadString();
        var user = new UserSpec
        {
            Uid = r.ReadUInt32(),
            Gid = r.ReadUInt32(),
            AdditionalGids = ReadList(r).Select(uint.Parse).ToList(),
            Username = ReadOptional(r),
        };
        var caps = new CapabilitiesSpec
        {
            Bounding = ReadList(r), Effective = ReadList(r), Inheritable = ReadList(r),
            Permitted = ReadList(r), Ambient = ReadList(r),
        };
        var process = new ProcessSpec
        {
            Terminal = terminal, ConsoleSize = height == 0 ? null : new ConsoleSize(height, width), Args = args, Env = env, Cwd = cwd, User = user,
            Capabilities = caps, NoNewPrivileges = r.ReadBoolean(),
        };
        var root = new RootSpec { Path = r.ReadString(), Readonly = r.ReadBoolean() };
        var hostname = ReadOptional(r);
        var mounts = new List<MountSpec>();
        for (var i = r.ReadInt32(); i > 0; i--)
            mounts.Add(new MountSpec { Destination = r.ReadString(), Type = ReadOptional(r), Source = ReadOptional(r), Options = ReadList(r) });
        var namespaces = new List<NamespaceSpec>();
        for (var i = r.ReadInt32(); i > 0; i--)
            namespaces.Add(new NamespaceSpec(r.ReadString(), ReadOptional(r)));
        var masked = ReadList(r);
        var readonlyPaths = ReadList(r);
        var overlay = r.ReadBoolean() ? new OverlaySpec(ReadList(r), r.ReadString(), r.ReadString()) : null;
        return new RuntimeSpec
        {
            Process = process,
            Root = root,
            Hostname = hostname,
            Mounts = mounts,
            Linux = new LinuxSpec { Namespaces = namespaces, MaskedPaths = masked, ReadonlyPaths = readonlyPaths, Overlay = overlay },
        };
    }

    private static void WriteList(BinaryWriter w, IReadOnlyCollection<string> items)
    {
        w.Write(items.Count);
        foreach (var item in items) w.Write(item);
    }

    private static List<string> ReadList(BinaryReader r)
    {
        var count = r.ReadInt32();
        var items = new List<string>(count);
        for (var i = 0; i < count; i++) items.Add(r.ReadString());
        return items;
    }

    private static void WriteOptional(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null) w.Write(value);
    }

    private static string? ReadOptional(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;
}
