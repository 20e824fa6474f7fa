using System.Diagnostics;
using System.Globalization;
using Skiff.Linux;
using Skiff.Linux.Cgroups;
using Skiff.Runtime.Cgroups;
using Skiff.Runtime.Spec;
using Skiff.Runtime.Start;

namespace Skiff.Runtime;

public sealed record StartOptions
{
    public required string Id { get; init; }
    /// <summary>The OCI bundle: config.json and, unless the spec has an overlay, the rootfs.</summary>
    public required string BundleDir { get; init; }
    /// <summary>Descriptors that become the program's stdin, stdout and stderr; null to pass ours through.</summary>
    public int[]? Stdio { get; init; }
    /// <summary>The binary that has the hidden <c>init</c> verb: this very program by default.</summary>
    public string InitExecutable { get; init; } = Environment.ProcessPath ?? "skiff";
    public CgroupLayout? CgroupLayout { get; init; }
}

/// <summary>The OCI runtime as a library: a bundle in, a running container out.</summary>
public static class ContainerRuntime
{
    public const string DefaultCgroupParent = "skiff";

    public static RunningContainer Start(StartOptions options)
    {
        var spec = RuntimeSpecJson.Read(Path.Join(options.BundleDir, "config.json"));
        var (parent, name) = CgroupPath(spec.Linux.CgroupsPath, options.Id);
        var cgroup = ContainerCgroup.Create(options.CgroupLayout ?? CgroupLayout.Detect(), parent, name, spec.Linux.Resources);
        System.Diagnostics.Process? init = null;
        int? console = null;
        var (syncRead, syncWrite) = FileDescriptors.Pipe();
        var (statusRead, statusWrite) = FileDescriptors.Pipe();
        try
        {
            var startInfo = new ProcessStartInfo(options.InitExecutable) { UseShellExecute = false };
            startInfo.ArgumentList.Add("init");
            startInfo.Environment[InitChannel.EnvironmentVariable] =
                new InitChannel.Handles(syncRead, statusWrite, Path.GetFullPath(options.BundleDir), options.Stdio).Encode();
            // 0, 1 and 2 are inherited anyway, and must stay so in this process.
            int[] inherit = [syncRead, statusWrite, .. (options.Stdio ?? []).Where(fd => fd > 2).Distinct()];
            init = Spawner.Spawn(startInfo, spec.Linux.Namespaces, inherit);
            FileDescriptors.Close(syncRead);
            FileDescriptors.Close(statusWrite);
            syncRead = statusWrite = -1;

            cgroup.AddProcess(init.Id);
            FileDescriptors.WriteAll(syncWrite, [InitChannel.Go]);
            console = FollowInit(init, statusRead, syncWrite);
            return new RunningContainer(options.Id, init, cgroup, console);
        }
        catch
        {
            if (console is { } c) FileDescriptors.Close(c);
            if (init is { HasExited: false }) init.Kill();
            init?.WaitForExit();
            cgroup.Destroy();
            throw;
        }
        finally
        {
            foreach (var fd in new[] { syncRead, syncWrite, statusRead, statusWrite })
                if (fd >= 0) FileDescriptors.Close(fd);
        }
    }

    /// <summary>Reads init's status lines until it has exec'd the program (end of file after "exec") or failed.</summary>
    private static int? FollowInit(System.Diagnostics.Process init, int statusRead, int syncWrite)
    {
        int? console = null;
        var execing = false;
        using var reader = new StreamReader(new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(statusRead, ownsHandle: false), FileAccess.Read, 1));
        while (reader.ReadLine() is { } line)
        {
            var (word, rest) = line.IndexOf(' ') is var i and >= 0 ? (line[..i], line[(i + 1)..]) : (line, "");
            switch (word)
            {
                case InitChannel.ConsoleLine:
                    var pidFd = ProcessControl.OpenPidFd(init.Id);
                    try { console = ProcessControl.TakeDescriptor(pidFd, int.Parse(rest, CultureInfo.InvariantCulture)); }
                    finally { FileDescriptors.Close(pidFd); }
                    FileDescriptors.WriteAll(syncWrite, [InitChannel.ConsoleTaken]);
                    break;
                case InitChannel.ExecLine:
                    execing = true;
                    break;
                case InitChannel.ErrorLine:
                    var parts = rest.Split(' ', 2);
                    init.WaitForExit();
                    throw new ContainerStartException(int.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length > 1 ? parts[1] : "unknown error");
            }
        }
        if (!execing)
        {
            init.WaitForExit();
            throw new ContainerStartException(125, $"the container's init exited with status {init.ExitCode} before starting the program");
        }
        return console;
    }

    /// <summary>Splits an OCI cgroupsPath ("/skiff/ID" or "skiff/ID") into parent and leaf; the default is skiff/ID.</summary>
    internal static (string Parent, string Name) CgroupPath(string? cgroupsPath, string id)
    {
        if (string.IsNullOrWhiteSpace(cgroupsPath)) return (DefaultCgroupParent, id);
        var trimmed = cgroupsPath.Trim('/');
        var slash = trimmed.LastIndexOf('/');
        return slash < 0 ? ("", trimmed) : (trimmed[..slash], trimmed[(slash + 1)..]);
    }
}
