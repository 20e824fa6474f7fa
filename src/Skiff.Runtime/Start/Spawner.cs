using System.Diagnostics;
using System.Runtime.InteropServices;
using Skiff.Linux;
using Skiff.Runtime.Spec;

namespace Skiff.Runtime.Start;

/// <summary>
/// Starts <c>skiff init</c> inside new namespaces. A .NET process is multithreaded, so namespaces are
/// entered by one dedicated OS thread, which then spawns init: the child inherits that thread's
/// namespaces and becomes PID 1 of the new PID namespace. No other thread is touched.
/// </summary>
internal sealed class Spawner(ISyscalls sys)
{
    public static readonly Spawner Kernel = new(LinuxSyscalls.Instance);

    private static readonly Lock SpawnLock = new();
    private static PosixSignalRegistration? _warmUp;

    /// <summary>
    /// After unshare(CLONE_NEWPID) the thread cannot create threads, and the first Process.Start
    /// lazily starts .NET's SIGCHLD thread; starting signal handling here, on an ordinary thread, avoids that.
    /// </summary>
    public static void WarmUp()
    {
        _warmUp ??= PosixSignalRegistration.Create(PosixSignal.SIGCONT, static _ => { });
    }

    /// <param name="inherit">descriptors init must receive; close-on-exec again once it has them.</param>
    public System.Diagnostics.Process Spawn(ProcessStartInfo startInfo, IReadOnlyList<NamespaceSpec> namespaces, IReadOnlyList<int> inherit)
    {
        WarmUp();
        // One spawn at a time: descriptors meant for one container's init must not leak into another's.
        lock (SpawnLock)
        {
            foreach (var fd in inherit) FileDescriptors.SetInheritable(fd, true);
            System.Diagnostics.Process? child = null;
            Exception? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    EnterNamespaces(namespaces);
                    child = System.Diagnostics.Process.Start(startInfo);
                }
                catch (Exception e) { failure = e; }
            }, maxStackSize: 256 * 1024) { Name = "skiff-spawn", IsBackground = true };
            thread.Start();
            thread.Join();
            foreach (var fd in inherit) FileDescriptors.SetInheritable(fd, false);
            if (failure is not null) throw failure;
            return child ?? throw new InvalidOperationException("could not start the container's init process");
        }
    }

    /// <summary>Moves the calling (dedicated) thread into the namespaces init is to start in.</summary>
    internal void EnterNamespaces(IReadOnlyList<NamespaceSpec> namespaces)
    {
        NamespaceKind fresh = 0;
        // A joined mount namespace is entered by init itself: .NET cannot start from inside a
        // container's filesystem, where neither the runtime nor this program exist.
        var joined = namespaces.Where(n => n.Path is not null && n.Type != "mount").ToList();
        if (joined.Count > 0) sys.UnshareFs();
        foreach (var ns in joined) sys.JoinNamespace(ns.Path!, Namespaces.FromSpecName(ns.Type));
        foreach (var ns in namespaces.Where(n => n.Path is null))
            fresh |= Namespaces.FromSpecName(ns.Type);
        // init enters its cgroup namespace itself, once the runtime has moved it into the container's cgroup.
        fresh &= ~NamespaceKind.Cgroup;
        if (fresh != 0) sys.Unshare(fresh);
    }
}
