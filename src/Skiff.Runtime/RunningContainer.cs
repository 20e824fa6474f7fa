using Skiff.Linux;
using Skiff.Runtime.Cgroups;

namespace Skiff.Runtime;

/// <summary>
/// A started container (its init, now the user's program) or a process exec'd into one; its
/// console if it has one; its cgroup, which it removes at the end only if it created it.
/// </summary>
public sealed class RunningContainer : IDisposable
{
    private readonly System.Diagnostics.Process _init;

    private readonly bool _ownsCgroup;

    internal RunningContainer(string id, System.Diagnostics.Process init, IContainerCgroup cgroup, OwnedFd? consoleMaster, bool ownsCgroup = true)
    {
        Id = id;
        _init = init;
        Cgroup = cgroup;
        ConsoleMaster = consoleMaster;
        _ownsCgroup = ownsCgroup;
    }

    public string Id { get; }
    public int Pid => _init.Id;
    public IContainerCgroup Cgroup { get; }
    /// <summary>The pty master when the spec asked for a terminal; the caller takes it over (<see cref="OwnedFd.Release"/>) or it closes with this.</summary>
    public OwnedFd? ConsoleMaster { get; }

    /// <summary>Waits for the program; a death by signal N gives 128+N, as shells and Docker report it.</summary>
    public int WaitForExit()
    {
        _init.WaitForExit();
        return _init.ExitCode;
    }

    public bool Signal(int signal) => !_init.HasExited && ProcessControl.Signal(Pid, signal);

    public bool OomKilled() => Cgroup.OomKilled();

    private bool _released;

    /// <summary>The process is left running for good (runc's detached run and exec): disposing no longer kills it.</summary>
    public void Release() => _released = true;

    /// <summary>Kills what is left and removes the cgroup. The namespaces and mounts die with the last process.</summary>
    public void Dispose()
    {
        ConsoleMaster?.Dispose();
        if (_released)
        {
            _init.Dispose();
            return;
        }
        if (!_init.HasExited)
        {
            ProcessControl.Signal(Pid, 9);
            _init.WaitForExit();
        }
        if (_ownsCgroup) Cgroup.Destroy();
        _init.Dispose();
    }
}
