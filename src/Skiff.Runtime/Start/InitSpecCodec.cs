using Skiff.Runtime.Seccomp;
using Skiff.Linux;
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
    public static byte[] Encode(RuntimeSpec spec) => Encode(new InitInstructions(spec));

    public static byte[] Encode(InitInstructions instructions)
    {
        var spec = instructions.Spec;
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

            w.Write(p.Rlimits?.Count ?? 0);
            foreach (var l in p.Rlimits ?? [])
            {
                w.Write(l.Type);
                w.Write(l.Soft);
                w.Write(l.Hard);
            }
            w.Write(p.User.Umask ?? uint.MaxValue);
            w.Write(linux.Sysctl?.Count ?? 0);
            foreach (var (key, value) in linux.Sysctl ?? new Dictionary<string, string>())
            {
                w.Write(key);
                w.Write(value);
            }
            w.Write(linux.Devices?.Count ?? 0);
            foreach (var d in linux.Devices ?? [])
            {
                w.Write(d.Path);
                w.Write(d.Type);
                w.Write(d.Major);
                w.Write(d.Minor);
                w.Write(d.FileMode ?? uint.MaxValue);
                w.Write(d.Uid ?? uint.MaxValue);
                w.Write(d.Gid ?? uint.MaxValue);
            }
            WriteHooks(w, spec.Hooks?.CreateContainer);
            WriteHooks(w, spec.Hooks?.StartContainer);
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
            w.WriteOptional(instructions.StartFifo);
            w.WriteOptional(instructions.HookState);
            w.Write(instructions.ExecAfterRuntimeExits);
        }
        return buffer.ToArray();
    }

    private static void WriteHooks(BinaryWriter w, List<HookSpec>? hooks)
    {
        w.Write(hooks?.Count ?? 0);
        foreach (var h in hooks ?? [])
        {
            w.Write(h.Path);
            w.WriteList(h.Args ?? []);
            w.WriteList(h.Env ?? []);
            w.Write(h.Timeout ?? 0);
        }
    }

    private static List<HookSpec>? ReadHooks(BinaryReader r)
    {
        var count = r.ReadInt32();
        if (count == 0) return null;
        var hooks = new List<HookSpec>();
        for (var i = 0; i < count; i++)
        {
            var (path, args, env, timeout) = (r.ReadString(), r.ReadList()!, r.ReadList()!, r.ReadInt32());
            hooks.Add(new HookSpec { Path = path, Args = args, Env = env, Timeout = timeout == 0 ? null : timeout });
        }
        return hooks;
    }

    private static uint? Optional(uint value) => value == uint.MaxValue ? null : value;

    public static InitInstructions Decode(byte[] data)
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
        var rlimits = new List<RlimitSpec>();
        for (var i = r.ReadInt32(); i > 0; i--)
        {
            var type = r.ReadString();
            var soft = r.ReadUInt64();
            rlimits.Add(new RlimitSpec(type, Hard: r.ReadUInt64(), Soft: soft));
        }
        var umask = Optional(r.ReadUInt32());
        var sysctl = new Dictionary<string, string>();
        for (var i = r.ReadInt32(); i > 0; i--) sysctl[r.ReadString()] = r.ReadString();
        var devices = new List<LinuxDevice>();
        for (var i = r.ReadInt32(); i > 0; i--)
            devices.Add(new LinuxDevice
            {
                Path = r.ReadString(), Type = r.ReadString(), Major = r.ReadInt64(), Minor = r.ReadInt64(),
                FileMode = Optional(r.ReadUInt32()), Uid = Optional(r.ReadUInt32()), Gid = Optional(r.ReadUInt32()),
            });
        var hooks = new HooksSpec { CreateContainer = ReadHooks(r), StartContainer = ReadHooks(r) };
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
            Process = process with { Rlimits = rlimits, User = user with { Umask = umask } },
            Root = root,
            Hostname = hostname,
            Mounts = mounts,
            Hooks = hooks,
            Linux = new LinuxSpec
            {
                Namespaces = namespaces, MaskedPaths = masked, ReadonlyPaths = readonlyPaths, Overlay = overlay,
                Sysctl = sysctl, Devices = devices,
            },
        };
        return new InitInstructions(spec, r.ReadOptional(), r.ReadOptional()) { Seccomp = seccomp, ExecAfterRuntimeExits = r.ReadBoolean() };
    }
}
