using Skiff.Engine.State;
using Skiff.Images;
using Skiff.Linux;
using Skiff.Runtime.Spec;

namespace Skiff.Engine.Containers;

/// <summary>Turns a run request and its image into an OCI runtime spec, with Docker's defaults where the user said nothing.</summary>
public static class ContainerSpecBuilder
{
    /// <param name="networkNamespace">--network container:NAME: the namespace of that container, joined instead of a new one.</param>
    public static RuntimeSpec Build(RunRequest request, LocalImage image, string id, string bundleDir, string hostname, string? networkNamespace = null)
    {
        return new RuntimeSpec
        {
            Process = new ProcessSpec
            {
                Terminal = request.Tty,
                Args = Arguments(request, image.Config),
                Env = Environment(request, image.Config, hostname),
                Cwd = request.WorkingDir ?? (image.Config.WorkingDir is { Length: > 0 } w ? w : "/"),
                User = new UserSpec { Username = request.User ?? (image.Config.User is { Length: > 0 } u ? u : null) },
                Capabilities = CapabilitySet(request),
                NoNewPrivileges = request.NoNewPrivileges,
            },
            Root = new RootSpec { Path = "rootfs", Readonly = request.ReadOnlyRootfs },
            Hostname = hostname,
            Mounts =
            [
                .. DockerDefaults.Mounts(request.Privileged),
                .. UserMounts(request.Mounts),
                // The user's own mount of one of these files wins, as in Docker.
                .. new[]
                {
                    FileBind(bundleDir, "resolv.conf", "/etc/resolv.conf"),
                    FileBind(bundleDir, "hostname", "/etc/hostname"),
                    FileBind(bundleDir, "hosts", "/etc/hosts"),
                }.Where(f => !request.Mounts.Any(m => m.Target == f.Destination)),
            ],
            Linux = new LinuxSpec
            {
                Namespaces = Namespaces(request, networkNamespace),
                Resources = Resources(request.Resources),
                CgroupsPath = $"{request.CgroupParent ?? Runtime.ContainerRuntime.DefaultCgroupParent}/{id}",
                MaskedPaths = request.Privileged ? null : [.. DockerDefaults.MaskedPaths],
                ReadonlyPaths = request.Privileged ? null : [.. DockerDefaults.ReadonlyPaths],
                Overlay = new OverlaySpec([.. image.LayerDirs], Path.Join(bundleDir, "upper"), Path.Join(bundleDir, "work")),
            },
        };
    }

    /// <summary>The spec of a process exec'd into a running container: the container's own settings, changed by the exec flags.</summary>
    public static RuntimeSpec BuildExec(ContainerRecord container, ExecRequest exec, ImageConfigInfo image, string hostname)
    {
        var run = container.Request;
        var caps = CapabilitySet(run with { Privileged = run.Privileged || exec.Privileged });
        return new RuntimeSpec
        {
            Process = new ProcessSpec
            {
                Terminal = exec.Tty,
                Args = [.. exec.Command],
                Env = Environment(run with { Env = [.. run.Env, .. exec.Env], Tty = exec.Tty }, image, hostname),
                Cwd = exec.WorkingDir ?? run.WorkingDir ?? (image.WorkingDir is { Length: > 0 } w ? w : "/"),
                User = new UserSpec { Username = exec.User ?? run.User ?? (image.User is { Length: > 0 } u ? u : null) },
                Capabilities = caps,
                NoNewPrivileges = run.NoNewPrivileges,
            },
            Root = new RootSpec { Path = "/" },
            Linux = new LinuxSpec
            {
                Namespaces = new[] { "ipc", "uts", "net", "pid", "mnt", "cgroup" }
                    .Select(ns => new NamespaceSpec(SpecName(ns), $"/proc/{container.Pid}/ns/{ns}")).ToList(),
            },
        };
    }

    private static string SpecName(string procName) => procName switch
    {
        "net" => "network",
        "mnt" => "mount",
        _ => procName,
    };

    internal static List<string> Arguments(RunRequest request, ImageConfigInfo image)
    {
        // Docker: an explicit --entrypoint discards the image's Cmd as well.
        var entrypoint = request.Entrypoint ?? image.Entrypoint ?? [];
        var cmd = request.Command.Count > 0 ? request.Command
            : request.Entrypoint is not null ? [] : image.Cmd ?? [];
        return [.. entrypoint, .. cmd];
    }

    internal static List<string> Environment(RunRequest request, ImageConfigInfo image, string hostname)
    {
        var env = new List<string>();
        void Set(string entry)
        {
            var key = entry.Split('=', 2)[0];
            env.RemoveAll(e => e.Split('=', 2)[0] == key);
            env.Add(entry);
        }
        if (!image.Env.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal))) Set(DockerDefaults.Path);
        Set("HOSTNAME=" + hostname);
        // Docker's defaults come first, so that the image's own values (a TERM, say) win over them.
        if (request.Tty) Set("TERM=xterm");
        foreach (var e in image.Env) Set(e);
        foreach (var e in request.Env) Set(e);
        return env;
    }

    internal static CapabilitiesSpec CapabilitySet(RunRequest request)
    {
        var caps = request.Privileged ? Capabilities.Names.ToList() : Capabilities.DockerDefault.ToList();
        foreach (var add in request.CapAdd)
        {
            if (add.Equals("ALL", StringComparison.OrdinalIgnoreCase)) { caps = [.. Capabilities.Names]; continue; }
            var name = Capabilities.Normalize(add) ?? throw new InvalidInputException($"unknown capability to add: \"{add}\"");
            if (!caps.Contains(name)) caps.Add(name);
        }
        foreach (var drop in request.CapDrop)
        {
            if (drop.Equals("ALL", StringComparison.OrdinalIgnoreCase))
            {
                // Docker applies --cap-add after --cap-drop ALL.
                caps = request.CapAdd.Where(a => !a.Equals("ALL", StringComparison.OrdinalIgnoreCase))
                    .Select(a => Capabilities.Normalize(a)!).ToList();
                continue;
            }
            var name = Capabilities.Normalize(drop) ?? throw new InvalidInputException($"unknown capability to drop: \"{drop}\"");
            caps.Remove(name);
        }
        // Docker (since 23.0) leaves the inheritable set empty; effective and permitted apply to root only,
        // as the kernel recomputes them for any other user at exec.
        return new CapabilitiesSpec { Bounding = caps, Effective = caps, Permitted = caps, Inheritable = [], Ambient = [] };
    }

    public static List<NamespaceSpec> Namespaces(RunRequest request, string? networkNamespace = null)
    {
        List<NamespaceSpec> ns = [new("pid"), new("ipc"), new("uts"), new("mount"), new("cgroup")];
        if (request.Network != NetworkMode.Host) ns.Add(new("network", request.Network == NetworkMode.Container ? networkNamespace : null));
        return ns;
    }

    internal static LinuxResources? Resources(ResourceLimits r)
    {
        MemoryResources? memory = r.MemoryBytes is { } mem
            ? new MemoryResources { Limit = mem, Swap = r.MemorySwapBytes ?? mem * 2 }
            : r.MemorySwapBytes is { } swapOnly ? new MemoryResources { Swap = swapOnly } : null;
        CpuResources? cpu = r.Cpus is null && r.CpuShares is null && r.CpusetCpus is null ? null : new CpuResources
        {
            Shares = r.CpuShares,
            Period = r.Cpus is null ? null : DockerDefaults.CpuPeriod,
            Quota = r.Cpus is { } cpus ? (long)(cpus * DockerDefaults.CpuPeriod) : null,
            Cpus = r.CpusetCpus,
        };
        PidsResources? pids = r.PidsLimit is { } p ? new PidsResources(p) : null;
        return memory is null && cpu is null && pids is null ? null : new LinuxResources { Memory = memory, Cpu = cpu, Pids = pids };
    }

    /// <summary>
    /// -v, --mount and --tmpfs as OCI mounts, parents before children (as Docker sorts them) so that
    /// a mount inside another lands on top of it. The runtime resolves each target inside the rootfs.
    /// </summary>
    internal static IEnumerable<MountSpec> UserMounts(IEnumerable<MountRequest> mounts) =>
        mounts.OrderBy(m => m.Target.Count(c => c == '/')).Select(m => m.Type switch
        {
            MountType.Tmpfs => new MountSpec
            {
                Destination = m.Target, Type = "tmpfs", Source = "tmpfs",
                Options = ["noexec", "nosuid", "nodev", .. m.TmpfsOptions, .. m.ReadOnly ? new[] { "ro" } : []],
            },
            _ => new MountSpec
            {
                Destination = m.Target, Type = "bind",
                Source = m.HostPath ?? throw new InvalidOperationException($"the {MountSyntax.Name(m.Type)} mount on {m.Target} was never attached to a host directory"),
                Options = ["rbind", m.ReadOnly ? "ro" : "rw", m.Propagation ?? "rprivate"],
            },
        });

    private static MountSpec FileBind(string bundleDir, string file, string destination) =>
        new() { Destination = destination, Type = "bind", Source = Path.Join(bundleDir, file), Options = ["rbind", "rprivate"] };
}
