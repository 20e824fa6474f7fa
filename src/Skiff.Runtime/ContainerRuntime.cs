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
    public required RuntimeSpec Spec { get; init; }
    /// <summary>The OCI bundle that a relative root.path is relative to.</summary>
    public required string BundleDir { get; init; }
    /// <summary>An init spawned ahead of time with <see cref="PendingInit.Launch"/>; otherwise one is spawned here.</summary>
    public PendingInit? Init { get; init; }
    /// <summary>Descriptors for the program's stdin, stdout and stderr when init is spawned here.</summary>
    public int[]? Stdio { get; init; }
    public CgroupLayout? CgroupLayout { get; init; }
    /// <summary>
    /// Called with init's pid once it is in its cgroup and before it gets its spec: the moment for
    /// the caller to wire init's network namespace, which the runtime itself knows nothing about.
    /// </summary>
    public Action<int>? BeforeSpec { get; init; }
    /// <summary>
    /// Set for runc's create: init does everything but exec, then blocks opening this fifo for
    /// writing until <c>start</c> opens it for reading. <see cref="ContainerRuntime.Start"/> returns
    /// as soon as init waits there.
    /// </summary>
    public string? StartFifo { get; init; }
    /// <summary>The OCI state JSON given init's pid, for the hooks init runs inside the container.</summary>
    public Func<int, string>? StateForHooks { get; init; }
    /// <summary>How many of the caller's descriptors from 3 up the program receives as they are (runc's --preserve-fds).</summary>
    public int PreservedFds { get; init; }
    /// <summary>Parent and leaf cgroup already worked out by the caller (systemd's "slice:prefix:name"); otherwise from linux.cgroupsPath.</summary>
    public (string Parent, string Name)? CgroupParentOverride { get; init; }
}

/// <summary>The OCI runtime as a library on this host's kernel: a spec in, a running container out, and the verbs on it.</summary>
public sealed class ContainerRuntime : IContainerRuntime
{
    public const string DefaultCgroupParent = "skiff";

    public static readonly ContainerRuntime Host = new();

    private ContainerRuntime()
    {
    }

    public RunningContainer Start(StartOptions options)
    {
        var spec = options.Spec with { Root = options.Spec.Root with { Path = Path.GetFullPath(options.Spec.Root.Path, options.BundleDir) } };
        var init = options.Init ?? PendingInit.Launch(spec.Linux.Namespaces, options.Stdio, preservedFds: options.PreservedFds);
        IContainerCgroup? cgroup = null;
        try
        {
            if (!init.Namespaces.Select(n => n.Type).Order().SequenceEqual(spec.Linux.Namespaces.Select(n => n.Type).Order()))
                throw new InvalidInputException("the pre-launched init was started with other namespaces than the spec asks for");
            var (parent, name) = options.CgroupParentOverride ?? CgroupPath(spec.Linux.CgroupsPath, options.Id);
            cgroup = ContainerCgroup.Create(options.CgroupLayout ?? CgroupLayout.Detect(), parent, name, spec.Linux.Resources);
            cgroup.AddProcess(init.Process.Id);
            StartTimeline.Mark("cgroup ready");
            if (spec.Process.OomScoreAdj is { } oomScoreAdj)
                File.WriteAllText($"/proc/{init.Process.Id}/oom_score_adj", oomScoreAdj.ToString(CultureInfo.InvariantCulture));
            options.BeforeSpec?.Invoke(init.Process.Id);
            init.Channel.Send(new RuntimeMessage.Spec(InitSpecCodec.Encode(new InitInstructions(spec, options.StartFifo, options.StateForHooks?.Invoke(init.Process.Id)))));
            var console = FollowInit(init);
            init.HandOver();
            return new RunningContainer(options.Id, init.Process, cgroup, console);
        }
        catch
        {
            init.Dispose();
            cgroup?.Destroy();
            throw;
        }
    }

    /// <summary>
    /// Runs another process in a running container: the spec's namespaces carry the paths of the
    /// container's (/proc/PID/ns/...), and the process joins the container's existing cgroup.
    /// </summary>
    /// <param name="preservedFds">how many of the caller's descriptors from 3 up the process receives as they are.</param>
    /// <param name="detached">the caller exits without waiting for the process, whose parent-to-be reaps it: the
    /// process execs its program only once this process has exited (see <see cref="InitInstructions.ExecAfterRuntimeExits"/>).</param>
    public RunningContainer Exec(string id, RuntimeSpec spec, CgroupLocation cgroup, int[]? stdio, int preservedFds = 0, bool detached = false)
    {
        var containerCgroup = Open(cgroup);
        using var init = PendingInit.Launch(spec.Linux.Namespaces, stdio, preservedFds: preservedFds);
        containerCgroup.AddProcess(init.Process.Id);
        init.Channel.Send(new RuntimeMessage.Spec(InitSpecCodec.Encode(new InitInstructions(spec) { ExecAfterRuntimeExits = detached })));
        var console = FollowInit(init, returnAtExec: detached);
        init.HandOver(keepSyncOpen: detached);
        return new RunningContainer(id, init.Process, containerCgroup, console, ownsCgroup: false);
    }

    public bool Kill(int pid, int signal) => ProcessControl.Signal(pid, signal);

    public void Delete(CgroupLocation cgroup, bool frozen)
    {
        var group = Open(cgroup);
        if (frozen) group.Thaw();
        group.Destroy();
    }

    public void Pause(CgroupLocation cgroup) => Open(cgroup).Freeze();

    public void Resume(CgroupLocation cgroup) => Open(cgroup).Thaw();

    public IReadOnlyList<int> Processes(CgroupLocation cgroup) => Open(cgroup).Processes();

    public bool IsPaused(CgroupLocation cgroup) => Open(cgroup).IsFrozen();

    public CgroupStats Stats(CgroupLocation cgroup) => Open(cgroup).ReadStats();

    public IReadOnlyList<string> Update(CgroupLocation cgroup, LinuxResources resources) =>
        ContainerCgroup.Update(CgroupLayout.Detect(), cgroup.Parent, cgroup.Name, resources);

    private static IContainerCgroup Open(CgroupLocation cgroup) => ContainerCgroup.Open(CgroupLayout.Detect(), cgroup.Parent, cgroup.Name);

    /// <summary>Follows init's reports until it has exec'd the program (end of file after <see cref="InitReport.Execing"/>), waits for start, or failed.</summary>
    /// <param name="returnAtExec">return once init is about to exec, without waiting for the exec itself (a detached exec).</param>
    private static OwnedFd? FollowInit(PendingInit init, bool returnAtExec = false)
    {
        OwnedFd? console = null;
        var execing = false;
        try
        {
            while (init.Channel.NextReport() is { } report)
            {
                switch (report)
                {
                    case InitReport.ConsoleReady ready:
                        console?.Dispose();
                        using (var pidFd = new OwnedFd(ProcessControl.OpenPidFd(init.Process.Id)))
                            console = new OwnedFd(ProcessControl.TakeDescriptor(pidFd.Value, ready.MasterFd));
                        init.Channel.Send(new RuntimeMessage.ConsoleTaken());
                        break;
                    case InitReport.Execing when returnAtExec:
                        return console;
                    case InitReport.Execing:
                        execing = true;
                        break;
                    case InitReport.Created:
                        return console;
                    case InitReport.Failed failed:
                        init.Process.WaitForExit();
                        throw new ContainerStartException(failed.ExitCode, failed.Message.Length > 0 ? failed.Message : "unknown error");
                }
            }
            if (!execing)
            {
                init.Process.WaitForExit();
                throw new ContainerStartException(125, $"the container's init exited with status {init.Process.ExitCode} before starting the program");
            }
            return console;
        }
        catch
        {
            console?.Dispose();
            throw;
        }
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
