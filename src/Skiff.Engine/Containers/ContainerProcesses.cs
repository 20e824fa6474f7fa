using System.Diagnostics;
using System.Globalization;
using Skiff.Engine.State;
using Skiff.Linux;

namespace Skiff.Engine.Containers;

/// <summary>What <c>top</c> prints: column titles and one row per process.</summary>
public sealed record ProcessTable(IReadOnlyList<string> Titles, IReadOnlyList<string[]> Rows);

/// <summary>top: the processes in a container's cgroup, read from /proc, or the host's ps with the
/// options given, keeping only the container's lines as Docker does.</summary>
public sealed class ContainerProcesses(ContainerEngine engine)
{
    // USER_HZ is 100 on every architecture Linux exposes to user space.
    private const double ClockTicksPerSecond = 100;

    public ProcessTable List(string reference, IReadOnlyList<string> psOptions)
    {
        var record = engine.Find(reference);
        if (record.Status is not (ContainerStatus.Running or ContainerStatus.Paused) || record.Pid <= 0)
            throw new ConflictException($"container {record.Name} is not running");
        var pids = engine.Runtime.Processes(record.Cgroup());
        return psOptions.Count == 0 ? FromProc(pids) : FromPs(pids, psOptions);
    }

    private static ProcessTable FromProc(IReadOnlyList<int> pids)
    {
        var users = UserNames();
        var rows = new List<string[]>();
        foreach (var pid in pids)
        {
            try
            {
                var (uid, cpu, command) = Read(pid);
                rows.Add([pid.ToString(CultureInfo.InvariantCulture), users.GetValueOrDefault(uid, uid), cpu.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture), command]);
            }
            catch (IOException)
            {
                // Gone since the cgroup was read.
            }
        }
        return new ProcessTable(["PID", "USER", "TIME", "COMMAND"], rows);
    }

    internal static (string Uid, TimeSpan Cpu, string Command) Read(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var close = stat.LastIndexOf(')');
        var comm = stat[(stat.IndexOf('(') + 1)..close];
        // After "pid (comm) " come state, ppid, …; utime and stime are the 14th and 15th fields overall.
        var fields = stat[(close + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        var uid = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
        var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Replace('\0', ' ');
        return (uid, TimeSpan.FromSeconds(ticks / ClockTicksPerSecond), cmdline.Length > 0 ? cmdline : $"[{comm}]");
    }

    // Names as the host knows them, which is what Docker's top (the host's ps) shows too.
    private static Dictionary<string, string> UserNames() =>
        File.Exists("/etc/passwd")
            ? File.ReadLines("/etc/passwd").Select(l => l.Split(':')).Where(f => f.Length > 2)
                .GroupBy(f => f[2]).ToDictionary(g => g.Key, g => g.First()[0])
            : [];

    private static ProcessTable FromPs(IReadOnlyList<int> pids, IReadOnlyList<string> options)
    {
        var psi = new ProcessStartInfo("ps") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var option in options) psi.ArgumentList.Add(option);
        using var ps = Process.Start(psi) ?? throw new InvalidOperationException("cannot run ps");
        var error = ps.StandardError.ReadToEndAsync();
        var lines = ps.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        ps.WaitForExit();
        if (ps.ExitCode != 0 || lines.Length == 0)
            throw new InvalidInputException($"ps {string.Join(' ', options)} failed: {error.Result.Trim()}");
        var titles = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var pidColumn = Array.IndexOf(titles, "PID");
        if (pidColumn < 0)
            throw new InvalidInputException($"ps {string.Join(' ', options)} prints no PID column, so the container's processes cannot be picked out");
        var wanted = pids.Select(p => p.ToString(CultureInfo.InvariantCulture)).ToHashSet();
        var rows = lines.Skip(1)
            .Select(l => l.Split(' ', titles.Length, StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > pidColumn && wanted.Contains(f[pidColumn]))
            .ToList();
        return new ProcessTable(titles, rows);
    }
}
