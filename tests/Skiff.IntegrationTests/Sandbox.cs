using System.Diagnostics;

namespace Skiff.IntegrationTests;

public sealed record RunResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the real skiff binary, as a user would, inside the throwaway network and mount namespaces
/// that scripts/test puts the whole test run in. It refuses to run anywhere else, so no test can
/// ever touch the machine's own network or mounts.
/// </summary>
public static class Sandbox
{
    public static readonly string Binary = FindBinary();
    public static readonly string StateRoot = Environment.GetEnvironmentVariable("SKIFF_ROOT")
        ?? throw new InvalidOperationException("SKIFF_ROOT is not set: run the integration tests through scripts/test");

    static Sandbox()
    {
        if (Environment.GetEnvironmentVariable("SKIFF_SANDBOX") != "1"
            || ReadLink("/proc/self/ns/net") == ReadLink("/proc/1/ns/net")
            || ReadLink("/proc/self/ns/mnt") == ReadLink("/proc/1/ns/mnt"))
            throw new InvalidOperationException("integration tests must run inside the throwaway namespaces of scripts/test");
    }

    private static string ReadLink(string path) => new FileInfo(path).LinkTarget ?? "";

    private static string FindBinary()
    {
        if (Environment.GetEnvironmentVariable("SKIFF_BIN") is { Length: > 0 } bin) return bin;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Join(dir.FullName, "out", "skiff", "skiff");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("out/skiff/skiff not found: build with ./skiff version first");
    }

    public static RunResult RunSkiff(params string[] args) => Run(Binary, args, stdin: null);

    public static RunResult SkiffWithInput(string stdin, params string[] args) => Run(Binary, args, stdin);

    /// <summary>skiff with one more environment variable, such as SKIFF_CRASH_AT.</summary>
    public static RunResult SkiffWithEnv(string variable, string value, params string[] args) =>
        Run(Binary, args, env: new Dictionary<string, string> { [variable] = value });

    public static RunResult Run(string program, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(90)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish");
        }
        return new RunResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a shell command line on the host side of the sandbox (for ip, script, mount).</summary>
    public static RunResult Sh(string commandLine) => Run("/bin/sh", ["-c", commandLine]);

    public static string UniqueName() => "t" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>run -d with the arguments given; the container's id.</summary>
    public static string RunDetached(params string[] args)
    {
        var r = RunSkiff(["run", "-d", .. args]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout.Trim();
    }

    public static System.Text.Json.JsonElement Inspect(string name)
    {
        var r = RunSkiff("inspect", name);
        Assert.True(r.ExitCode == 0, r.ToString());
        return System.Text.Json.JsonDocument.Parse(r.Stdout).RootElement[0];
    }

    public static string Status(string name) => Inspect(name).GetProperty("State").GetProperty("Status").GetString()!;

    /// <summary>Waits for something the test cannot be told about directly; never a timing assertion, only a bound on a hang.</summary>
    public static void Eventually(Func<bool> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            Thread.Sleep(100);
        }
    }

    public static string[] ContainerDirs()
    {
        var dir = Path.Join(StateRoot, "containers");
        return Directory.Exists(dir) ? Directory.GetDirectories(dir) : [];
    }

    /// <summary>A cgroup parent of its own, so a test can look at exactly its container's cgroup.</summary>
    public static string UniqueCgroupParent() => $"skiff-it-{Guid.NewGuid():N}"[..20];

    /// <summary>
    /// Every cgroup Skiff made under the cgroup mounts, to compare before and after: the containers'
    /// directories under the engine's standing "skiff" parent (which stays, as Docker's does), and
    /// any other directory with "skiff" in its name.
    /// </summary>
    public static SortedSet<string> SkiffCgroups()
    {
        var tops = Directory.EnumerateDirectories("/sys/fs/cgroup")
            .SelectMany(h => SafeEnumerate(h))
            .Where(d => Path.GetFileName(d).Contains("skiff", StringComparison.Ordinal)).ToList();
        return new(tops.Where(d => Path.GetFileName(d) != "skiff")
            .Concat(tops.Where(d => Path.GetFileName(d) == "skiff").SelectMany(SafeEnumerate)));
    }

    private static IEnumerable<string> SafeEnumerate(string dir)
    {
        try { return Directory.EnumerateDirectories(dir).ToList(); }
        catch (IOException) { return []; }
    }
}

/// <summary>Tests that compare host state before and after must not overlap with anything else.</summary>
[CollectionDefinition("host state", DisableParallelization = true)]
public sealed class HostStateCollection;
