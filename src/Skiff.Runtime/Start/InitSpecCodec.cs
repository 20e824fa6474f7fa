using Skiff.Linux;
using Skiff.Runtime.Seccomp;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Start;

/// <summary>
/// The part of the runtime spec that init acts on, in a compact binary form sent down the sync pipe.
/// Init never parses JSON: a cold System.Text.Json deserialization costs more than the rest of the
/// container start (measured 60–120 ms against about 1 ms for this), and init is on that path.
/// Resources, the cgroup path and annotations stay with the parent, which applies them. The seccomp
/// profile travels compiled: init only loads the filter.
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
            w.WriteList(p.Args);
            w.WriteList(p.Env);
            w.Write(p.Cwd);
            w.Write(p.User.Uid);
            w.Write(p.User.Gid);
            w.WriteList((p.User.AdditionalGids ?? []).Select(g => g.ToString()).ToList());
            w.WriteOptional(p.User.Username);
            var caps = p.Capabilities ?? new CapabilitiesSpec();
            foreach (var set in new[] { caps.Bounding, caps.Effective, caps.Inheritable, caps.Permitted, caps.Ambient })
                w.WriteList(set);
            w.Write(p.NoNewPrivileges);

            w.Write(spec.Root.Path);
            w.Write(spec.Root.Readonly);
            w.WriteOptional(spec.Hostname);
            w.Write(spec.Mounts.Count);
            foreach (var m in spec.Mounts)
            {
                w.Write(m.Destination);
                w.WriteOptional(m.Type);
                w.WriteOptional(m.Source);
                w.WriteList(m.Options ?? []);
            }

            var linux = spec.Linux;
            w.Write(linux.Namespaces.Count);
            foreach (var ns in linux.Namespaces)
            {
                w.Write(ns.Type);
                w.WriteOptional(ns.Path);
            }
            w.WriteList(linux.MaskedPaths ?? []);
            w.WriteList(linux.ReadonlyPaths ?? []);
            w.Write(linux.Overlay is not null);
            if (linux.Overlay is { } o)
            {
                w.WriteList(o.LowerDirs);
                w.Write(o.UpperDir);
                w.Write(o.WorkDir);
            }
            var seccomp = linux.Seccomp is { } profile ? SeccompCompiler.Compile(profile) : null;
            if (seccomp is not null) StartTimeline.Mark($"seccomp filter compiled ({seccomp.Instructions.Length} instructions)");
            w.Write(seccomp is not null);
            if (seccomp is not null)
            {
                w.Write(seccomp.Flags);
                w.Write(seccomp.Instructions.Length);
                foreach (var i in seccomp.Instructions)
                {
                    w.Write(i.Code);
                    w.Write(i.JumpTrue);
                    w.Write(i.JumpFalse);
                    w.Write(i.K);
                }
            }
        }
        return buffer.ToArray();
    }

    public static (RuntimeSpec Spec, SeccompProgram? Seccomp) Decode(byte[] data)
    {
        using var r = new BinaryReader(new MemoryStream(data));
        var terminal = r.ReadBoolean();
        var (height, width) = (r.ReadUInt32(), r.ReadUInt32());
        var args = r.ReadList()!;
        var env = r.ReadList()!;
        var cwd = r.ReadString();
        var user = new UserSpec
        {
            Uid = r.ReadUInt32(),
            Gid = r.ReadUInt32(),
            AdditionalGids = r.ReadList()!.Select(uint.Parse).ToList(),
            Username = r.ReadOptional(),
        };
        var caps = new CapabilitiesSpec
        {
            Bounding = r.ReadList()!, Effective = r.ReadList()!, Inheritable = r.ReadList()!,
            Permitted = r.ReadList()!, Ambient = r.ReadList()!,
        };
        var process = new ProcessSpec
        {
            Terminal = terminal, ConsoleSize = height == 0 ? null : new ConsoleSize(height, width), Args = args, Env = env, Cwd = cwd, User = user,
            Capabilities = caps, NoNewPrivileges = r.ReadBoolean(),
        };
        var root = new RootSpec { Path = r.ReadString(), Readonly = r.ReadBoolean() };
        var hostname = r.ReadOptional();
        var mounts = new List<MountSpec>();
        for (var i = r.ReadInt32(); i > 0; i--)
            mounts.Add(new MountSpec { Destination = r.ReadString(), Type = r.ReadOptional(), Source = r.ReadOptional(), Options = r.ReadList()! });
        var namespaces = new List<NamespaceSpec>();
        for (var i = r.ReadInt32(); i > 0; i--)
            namespaces.Add(new NamespaceSpec(r.ReadString(), r.ReadOptional()));
        var masked = r.ReadList()!;
        var readonlyPaths = r.ReadList()!;
        var overlay = r.ReadBoolean() ? new OverlaySpec(r.ReadList()!, r.ReadString(), r.ReadString()) : null;
        SeccompProgram? seccomp = null;
        if (r.ReadBoolean())
        {
            var flags = r.ReadUInt32();
            var program = new SockFilter[r.ReadInt32()];
            for (var i = 0; i < program.Length; i++)
                program[i] = new SockFilter(r.ReadUInt16(), r.ReadByte(), r.ReadByte(), r.ReadUInt32());
            seccomp = new SeccompProgram(program, flags);
        }
        var spec = new RuntimeSpec
        {
            Process = process,
            Root = root,
            Hostname = hostname,
            Mounts = mounts,
            Linux = new LinuxSpec { Namespaces = namespaces, MaskedPaths = masked, ReadonlyPaths = readonlyPaths, Overlay = overlay },
        };
        return (spec, seccomp);
    }
}
