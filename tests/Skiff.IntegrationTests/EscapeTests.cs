using System.Diagnostics;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>The ways out of a container that runtimes have had, each tried from inside and failing.</summary>
public sealed class EscapeTests : IDisposable
{
    private readonly string _hostDir = Directory.CreateTempSubdirectory("skiff-escape-test").FullName;
    private readonly List<string> _containers = [];

    public EscapeTests() => File.WriteAllText(Path.Join(_hostDir, "host-secret"), "host secret\n");

    public void Dispose()
    {
        foreach (var c in _containers) RunSkiff("rm", "-f", c);
        Directory.Delete(_hostDir, recursive: true);
    }

    private string Running()
    {
        var name = UniqueName();
        _containers.Add(name);
        RunDetached("--name", name, "--network", "none", "-v", ProbeProgram.Volume, "busybox", "sleep", "300");
        return name;
    }

    [Fact]
    public void The_first_process_holds_only_its_stdio_and_a_working_directory_inside()
    {
        var r = RunSkiff("run", "--rm", "--network", "none", "-v", ProbeProgram.Volume, "-w", "/tmp", "busybox", ProbeProgram.InContainer, "fds", "cwd");
        Assert.True(r.ExitCode == 0, r.ToString());
        var fds = r.Stdout.Split('\n').Where(l => l.StartsWith("fd ")).Select(l => l.Split(' ')[1]).ToList();
        Assert.Equal(["0", "1", "2"], fds);
        Assert.Contains("cwd=reachable", r.Stdout);
    }

    /// <summary>
    /// CVE-2024-21626: the caller of the runtime holds a descriptor of a host directory, and the
    /// container's working directory names it through /proc/self/fd. Neither run nor exec may start
    /// a process there.
    /// </summary>
    [Fact]
    public void A_working_directory_through_an_inherited_descriptor_never_reaches_the_host()
    {
        var name = Running();
        foreach (var verb in new[] { $"run --rm --network none busybox", $"exec {name}" })
        {
            var r = Sh($"exec 7<{_hostDir}; {Binary} {verb.Replace(" busybox", " -w /proc/self/fd/7 busybox").Replace($"exec {name}", $"exec -w /proc/self/fd/7 {name}")} cat host-secret");
            Assert.DoesNotContain("host secret", r.Stdout);
            Assert.Equal(125, r.ExitCode);
            Assert.StartsWith("skiff: ", r.Stderr);
            Assert.Contains("/proc/self/fd/7", r.Stderr);
        }
    }

    /// <summary>
    /// CVE-2019-5736: a process exec'd into a container runs the host's skiff binary until its
    /// execve, in the container's PID namespace. Stopped at that last moment, it must not let
    /// container root open its /proc/PID/exe (the way to overwrite the runtime) or its memory.
    /// </summary>
    [Fact]
    public void Container_root_cannot_open_the_runtime_binary_of_an_exec_in_progress()
    {
        var name = Running();
        var psi = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "exec", name, "true" }) psi.ArgumentList.Add(a);
        psi.Environment["SKIFF_STOP_AT"] = "init:exec";
        using var exec = Process.Start(psi)!;
        int hostPid = 0;
        try
        {
            Eventually(() => (hostPid = StoppedInit()) > 0, "the exec'd init stops before its execve");
            var inner = File.ReadLines($"/proc/{hostPid}/status").First(l => l.StartsWith("NSpid:")).Split('\t', StringSplitOptions.RemoveEmptyEntries).Last();
            var r = RunSkiff("exec", name, ProbeProgram.InContainer, $"read=/proc/{inner}/exe", $"path=/proc/{inner}/exe", $"write=/proc/{inner}/exe",
                $"readlink=/proc/{inner}/exe", $"read=/proc/{inner}/mem");
            Assert.True(r.ExitCode == 0, r.ToString());
            foreach (var line in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                Assert.EndsWith("=EACCES", line);
        }
        finally
        {
            if (hostPid > 0) Process.GetProcessById(hostPid).Kill();
            exec.WaitForExit();
        }
    }

    private static int StoppedInit()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (new FileInfo($"{dir}/exe").LinkTarget == Binary
                    && File.ReadLines($"{dir}/status").Any(l => l.StartsWith("State:") && l.Contains("(stopped)")))
                    return pid;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return 0;
    }

    /// <summary>
    /// CVE-2018-15664: while cp resolves a path inside the container and writes there, a process
    /// inside swaps a directory of that path for a symlink to a host directory, as fast as it can.
    /// Without the pause around the copy this lands files on the host within a few tries.
    /// </summary>
    [Fact]
    public void Cp_into_a_directory_swapped_for_a_symlink_never_writes_on_the_host()
    {
        var target = Directory.CreateDirectory(Path.Join(_hostDir, "target")).FullName;
        var source = Path.Join(_hostDir, "payload");
        File.WriteAllText(source, "payload\n");
        var name = UniqueName();
        _containers.Add(name);
        RunDetached("--name", name, "--network", "none", "busybox", "sh", "-c",
            $"mkdir -p /box/dir; while :; do mv /box/dir /box/real; ln -s {target} /box/dir; rm /box/dir; mv /box/real /box/dir; done");
        var copied = 0;
        for (var i = 0; i < 30; i++)
        {
            var r = RunSkiff("cp", source, $"{name}:/box/dir/f{i}");
            if (r.ExitCode == 0) copied++;
            else Assert.StartsWith("skiff: ", r.Stderr);
        }
        Assert.Empty(Directory.GetFileSystemEntries(target));
        Assert.True(copied > 0, "no copy went through at all");
        Assert.Equal("running", Status(name));
    }

    [Fact]
    public void Masked_proc_and_sys_paths_stay_masked_even_without_a_seccomp_filter()
    {
        // Without the filter, only the missing CAP_SYS_ADMIN stands between root and the masks.
        var r = RunSkiff("run", "--rm", "--network", "none", "--security-opt", "seccomp=unconfined", "busybox", "sh", "-c",
            "umount /proc/keys; umount -l /proc/timer_list; umount /sys/firmware; mount -o remount,rw /proc/sys; mount -o remount,rw /sys; " +
            "echo keys=$(wc -c < /proc/keys) timers=$(wc -c < /proc/timer_list) firmware=$(ls /sys/firmware | wc -l) " +
            "sysrw=$(grep -c ' /sys sysfs rw' /proc/mounts) procsysrw=$(grep -c ' /proc/sys proc rw' /proc/mounts)");
        Assert.Contains("keys=0 timers=0 firmware=0 sysrw=0 procsysrw=0", r.Stdout);
        Assert.Equal(3, r.Stderr.Split('\n').Count(l => l.Contains("Operation not permitted")));
    }
}
