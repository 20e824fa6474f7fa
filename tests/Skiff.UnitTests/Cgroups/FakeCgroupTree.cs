using Skiff.Linux;
using Skiff.Linux.Cgroups;

namespace Skiff.UnitTests.Cgroups;

/// <summary>
/// Plain directories in a temp dir that behave like cgroupfs where the code depends on it: a new
/// directory gets its control files (in v2 only those of controllers the parent enabled), writes to
/// missing files fail, memsw may not drop below the memory limit, rmdir of a group with processes
/// or children fails with EBUSY, and a killed process leaves every cgroup.procs.
/// </summary>
internal sealed class FakeCgroupTree : ICgroupFs, IDisposable
{
    private readonly Dictionary<string, Func<string, Dictionary<string, string>>> childFiles = [];

    public string Root { get; } = Directory.CreateTempSubdirectory("skiff-cgroup-test-").FullName;
    public List<(string Path, string Value)> Writes { get; } = [];
    public List<int> Killed { get; } = [];
    /// <summary>Processes that ignore SIGKILL (stuck in the kernel, say).</summary>
    public HashSet<int> Unkillable { get; } = [];
    /// <summary>Mount points where mkdir fails with EACCES, as on a read-only or foreign-owned mount.</summary>
    public HashSet<string> ReadOnlyMounts { get; } = [];
    /// <summary>Called with the path before every mkdir: what another process does meanwhile.</summary>
    public Action<string>? BeforeMakeDirectory { get; set; }
    /// <summary>File name to the errno every write to it fails with.</summary>
    public Dictionary<string, int> FailingWrites { get; } = [];

    /// <summary>The files a v2 controller adds to a group; tests remove some to mimic a kernel without them.</summary>
    public Dictionary<string, string[]> V2ControllerFiles { get; } = new()
    {
        ["cpu"] = ["cpu.weight", "cpu.max"],
        ["cpuset"] = ["cpuset.cpus", "cpuset.mems"],
        ["memory"] = ["memory.max", "memory.swap.max", "memory.low", "memory.events"],
        ["pids"] = ["pids.max"],
        ["io"] = ["io.weight", "io.max"],
        ["hugetlb"] = ["hugetlb.2MB.max"],
    };

    /// <summary>A v1 hierarchy at Root/<paramref name="name"/> whose root holds <paramref name="rootFiles"/> and whose new groups get <paramref name="newGroupFiles"/>.</summary>
    public string AddV1(string name, Dictionary<string, string> rootFiles, Dictionary<string, string> newGroupFiles)
    {
        var mount = Path.Join(Root, name);
        Directory.CreateDirectory(mount);
        foreach (var (file, value) in rootFiles.Append(new("cgroup.procs", ""))) File.WriteAllText(Path.Join(mount, file), value);
        childFiles[mount] = _ => new Dictionary<string, string>(newGroupFiles) { ["cgroup.procs"] = "" };
        return mount;
    }

    /// <summary>A cgroup2 hierarchy at Root/<paramref name="name"/> offering <paramref name="controllers"/> at its root.</summary>
    public string AddV2(string name, string controllers)
    {
        var mount = Path.Join(Root, name);
        Directory.CreateDirectory(mount);
        foreach (var file in new[] { "cgroup.procs", "cgroup.subtree_control" }) File.WriteAllText(Path.Join(mount, file), "");
        File.WriteAllText(Path.Join(mount, "cgroup.controllers"), controllers);
        childFiles[mount] = parent =>
        {
            var files = new Dictionary<string, string>
            {
                ["cgroup.procs"] = "", ["cgroup.subtree_control"] = "", ["cgroup.kill"] = "",
                ["cgroup.controllers"] = File.ReadAllText(Path.Join(parent, "cgroup.subtree_control")),
            };
            foreach (var controller in Words(files["cgroup.controllers"]))
                foreach (var file in V2ControllerFiles[controller]) files[file] = DefaultV2(file);
            return files;
        };
        return mount;
    }

    private static string DefaultV2(string file) => file switch
    {
        "memory.events" => "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
        "cpu.weight" => "100",
        "cpu.max" => "max 100000",
        "io.weight" => "default 100",
        "cpuset.cpus" or "cpuset.mems" or "io.max" => "",
        _ => "max",
    };

    public string Content(string path) => File.ReadAllText(path);

    /// <summary>The writes into one directory, as "file=value", in order.</summary>
    public List<string> WritesIn(string dir) =>
        Writes.Where(w => Path.GetDirectoryName(w.Path) == dir).Select(w => $"{Path.GetFileName(w.Path)}={w.Value}").ToList();

    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public string Read(string path) =>
        File.Exists(path) ? File.ReadAllText(path) : throw new SyscallException($"open {path}", Errno.ENOENT);

    public void Write(string path, string value)
    {
        var file = Path.GetFileName(path);
        var dir = Path.GetDirectoryName(path)!;
        if (!File.Exists(path)) throw new SyscallException($"open {path}", Errno.ENOENT);
        if (FailingWrites.TryGetValue(file, out var errno)) throw new SyscallException($"write \"{value}\" to {path}", errno);

        switch (file)
        {
            case "cgroup.procs":
                // Joining a group leaves the previous one of the same hierarchy only.
                var pid = int.Parse(value);
                RemoveFromProcs(pid, MountOf(path));
                File.AppendAllText(path, value + "\n");
                break;
            case "cgroup.kill":
                foreach (var p in Procs(dir)) Kill(p);
                break;
            case "cgroup.subtree_control":
                EnableControllers(dir, value);
                break;
            case "memory.limit_in_bytes" or "memory.memsw.limit_in_bytes":
                var limitFile = Path.Join(dir, "memory.limit_in_bytes");
                var memswFile = Path.Join(dir, "memory.memsw.limit_in_bytes");
                var limit = Bytes(file == "memory.limit_in_bytes" ? value : File.ReadAllText(limitFile));
                if (File.Exists(memswFile) && Bytes(file == "memory.memsw.limit_in_bytes" ? value : File.ReadAllText(memswFile)) < limit)
                    throw new SyscallException($"write \"{value}\" to {path}", Errno.EINVAL);
                File.WriteAllText(path, value);
                break;
            default:
                File.WriteAllText(path, value);
                break;
        }
        Writes.Add((path, value));
    }

    private void EnableControllers(string dir, string value)
    {
        var available = Words(File.ReadAllText(Path.Join(dir, "cgroup.controllers")));
        var enabled = Words(File.ReadAllText(Path.Join(dir, "cgroup.subtree_control"))).ToList();
        foreach (var token in Words(value))
        {
            var controller = token.TrimStart('+');
            if (!available.Contains(controller)) throw new SyscallException($"write \"{value}\" to {dir}/cgroup.subtree_control", Errno.ENOENT);
            if (!enabled.Contains(controller)) enabled.Add(controller);
        }
        File.WriteAllText(Path.Join(dir, "cgroup.subtree_control"), string.Join(' ', enabled));
        foreach (var child in Directory.GetDirectories(dir))
        {
            File.WriteAllText(Path.Join(child, "cgroup.controllers"), string.Join(' ', enabled));
            foreach (var file in enabled.SelectMany(c => V2ControllerFiles[c]).Where(f => !File.Exists(Path.Join(child, f))))
                File.WriteAllText(Path.Join(child, file), DefaultV2(file));
        }
    }

    public bool MakeDirectory(string path)
    {
        BeforeMakeDirectory?.Invoke(path);
        if (Directory.Exists(path)) return false;
        var parent = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(parent)) throw new SyscallException($"mkdir {path}", Errno.ENOENT);
        if (ReadOnlyMounts.Contains(MountOf(path))) throw new SyscallException($"mkdir {path}", Errno.EACCES);
        var files = childFiles[MountOf(path)](parent);
        Directory.CreateDirectory(path);
        foreach (var (file, value) in files) File.WriteAllText(Path.Join(path, file), value);
        return true;
    }

    public void RemoveDirectory(string path)
    {
        if (!Directory.Exists(path)) throw new SyscallException($"rmdir {path}", Errno.ENOENT);
        if (Directory.GetDirectories(path).Length > 0 || Procs(path).Count > 0) throw new SyscallException($"rmdir {path}", Errno.EBUSY);
        Directory.Delete(path, recursive: true);
    }

    public bool Kill(int pid)
    {
        Killed.Add(pid);
        if (!Unkillable.Contains(pid)) RemoveFromProcs(pid, Root);
        return true;
    }

    /// <summary>Puts a process into a group directly, as a fork inside the container would.</summary>
    public void Spawn(string dir, int pid) => File.AppendAllText(Path.Join(dir, "cgroup.procs"), pid + "\n");

    public List<int> Procs(string dir) =>
        File.ReadAllLines(Path.Join(dir, "cgroup.procs")).Where(l => l.Length > 0).Select(int.Parse).ToList();

    private string MountOf(string path) => childFiles.Keys.Single(m => path.StartsWith(m + "/", StringComparison.Ordinal));

    private static void RemoveFromProcs(int pid, string under)
    {
        foreach (var procs in Directory.EnumerateFiles(under, "cgroup.procs", SearchOption.AllDirectories))
            File.WriteAllLines(procs, File.ReadAllLines(procs).Where(l => l.Length > 0 && l != pid.ToString()));
    }

    private static string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static long Bytes(string value) => value.Trim() is "-1" or "max" ? long.MaxValue : long.Parse(value.Trim());

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
