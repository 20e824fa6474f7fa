using System.Diagnostics;
using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.State;

namespace Skiff.UnitTests.Engine;

/// <summary>
/// The engine's pause, unpause and kill decisions, against a fake runtime: which verbs, in which
/// order, and what the record says when the runtime is called. The container's owner is a real
/// process named skiff (a sleep), so the engine sees a live container and does not reconcile it.
/// </summary>
public sealed class ContainerLifecycleTests : IDisposable
{
    private const int InitPid = 0x7ffffff1;
    private readonly string _root = Directory.CreateTempSubdirectory("skiff-engine").FullName;
    private readonly FakeRuntime _runtime = new();
    private readonly Process _owner;
    private readonly ContainerEngine _engine;

    public ContainerLifecycleTests()
    {
        var skiff = Path.Join(_root, "skiff");
        File.CreateSymbolicLink(skiff, "/bin/sleep");
        _owner = Process.Start(skiff, "300");
        _engine = new ContainerEngine(new SkiffPaths(_root), _runtime);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _owner.Kill();
        _owner.WaitForExit();
        _owner.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private ContainerRecord Insert(ContainerStatus status)
    {
        var record = new ContainerRecord
        {
            Id = "abc".PadRight(64, '0'), Name = "web", Image = "busybox", ImageId = "sha256:" + new string('a', 64),
            Created = DateTime.UtcNow, Request = new RunRequest { Image = "busybox", Command = ["sleep", "9"] },
            Status = status, MonitorPid = _owner.Id, Pid = InitPid,
        };
        using var db = new StateDatabase(_root);
        new ContainerStore(db).Insert(record);
        return record;
    }

    private ContainerStatus StatusNow() => _engine.Find("web").Status;

    [Fact]
    public void Pause_is_recorded_before_the_container_is_frozen()
    {
        Insert(ContainerStatus.Running);
        var seen = new List<ContainerStatus>();
        _runtime.OnCall = _ => seen.Add(StatusNow());

        new ContainerFreezer(_engine).Pause("web");

        Assert.Equal(["pause skiff/abc000000000"], _runtime.Calls);
        Assert.Equal([ContainerStatus.Paused], seen);
    }

    [Fact]
    public void Unpause_thaws_and_then_records_running()
    {
        Insert(ContainerStatus.Paused);
        var seen = new List<ContainerStatus>();
        _runtime.OnCall = _ => seen.Add(StatusNow());

        new ContainerFreezer(_engine).Unpause("web");

        Assert.Equal(["resume skiff/abc000000000"], _runtime.Calls);
        Assert.Equal([ContainerStatus.Paused], seen);
        Assert.Equal(ContainerStatus.Running, StatusNow());
    }

    [Fact]
    public void Pausing_a_paused_container_is_refused_and_touches_nothing()
    {
        Insert(ContainerStatus.Paused);

        Assert.Throws<ConflictException>(() => new ContainerFreezer(_engine).Pause("web"));
        Assert.Empty(_runtime.Calls);
    }

    [Fact]
    public void SIGKILL_to_a_paused_container_is_sent_before_it_is_thawed_so_the_program_never_runs_again()
    {
        Insert(ContainerStatus.Paused);

        new ContainerSignals(_engine).Kill("web", 9);

        Assert.Equal([$"kill {InitPid} 9", "resume skiff/abc000000000"], _runtime.Calls);
        Assert.Equal(ContainerStatus.Running, StatusNow());
    }

    [Fact]
    public void Another_signal_to_a_paused_container_stays_pending_and_it_stays_paused()
    {
        Insert(ContainerStatus.Paused);

        new ContainerSignals(_engine).Kill("web", 15);

        Assert.Equal([$"kill {InitPid} 15"], _runtime.Calls);
        Assert.Equal(ContainerStatus.Paused, StatusNow());
    }

    [Fact]
    public void Killing_a_container_that_is_not_running_is_refused_and_signals_nothing()
    {
        Insert(ContainerStatus.Exited);

        Assert.Throws<ConflictException>(() => new ContainerSignals(_engine).Kill("web", 9));
        Assert.Empty(_runtime.Calls);
    }
}
