using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.State;

namespace Skiff.UnitTests.Engine;

/// <summary>
/// The reconciler acts on a copy read a moment ago; by the time it looks, the owner may have
/// recorded the real exit or another command removed the container. Neither may be overwritten.
/// </summary>
public sealed class ReconcilerTests : IDisposable
{
    private const int GoneMonitorPid = 0x7ffffff0;
    private const int InitPid = 0x7ffffff1;
    private readonly string _root = Directory.CreateTempSubdirectory("skiff-state").FullName;
    private readonly FakeRuntime _runtime = new();

    private static ContainerRecord Running(string id) => new()
    {
        Id = id.PadRight(64, '0'), Name = "web", Image = "busybox", ImageId = "sha256:" + new string('a', 64),
        Created = DateTime.UtcNow, Request = new RunRequest { Image = "busybox", Command = ["sleep", "9"] },
        Status = ContainerStatus.Running, MonitorPid = GoneMonitorPid,
    };

    [Fact]
    public void An_exit_the_owner_recorded_after_the_read_is_kept()
    {
        using var db = new StateDatabase(_root);
        var store = new ContainerStore(db);
        var stale = Running("abc");
        store.Insert(stale);
        store.Update(stale.Id, c => c with { Status = ContainerStatus.Exited, ExitCode = 4 });

        var reconciled = Reconciler.Reconcile(store, _runtime, stale);

        Assert.Equal(ContainerStatus.Exited, reconciled!.Status);
        Assert.Equal(4, reconciled.ExitCode);
        Assert.Equal(4, store.Find("web").ExitCode);
        Assert.Empty(_runtime.Calls);
    }

    [Fact]
    public void A_container_removed_after_the_read_is_reported_gone_not_an_error()
    {
        using var db = new StateDatabase(_root);
        var store = new ContainerStore(db);
        var stale = Running("abc");
        store.Insert(stale);
        store.Delete(stale.Id);

        Assert.Null(Reconciler.Reconcile(store, _runtime, stale));
    }

    private ContainerRecord Orphan(ContainerStore store, ContainerStatus status)
    {
        var record = Running("abc") with { Status = status, Pid = InitPid };
        store.Insert(record);
        return record;
    }

    [Fact]
    public void An_orphaned_container_is_killed_its_cgroup_removed_and_recorded_as_killed()
    {
        using var db = new StateDatabase(_root);
        var store = new ContainerStore(db);
        _runtime.Alive.Add(InitPid);

        var reconciled = Reconciler.Reconcile(store, _runtime, Orphan(store, ContainerStatus.Running));

        Assert.Equal([$"kill {InitPid} 9", "delete skiff/abc000000000"], _runtime.Calls);
        Assert.Equal((ContainerStatus.Exited, 137, 0), (reconciled!.Status, reconciled.ExitCode, reconciled.Pid));
        Assert.Contains($"(pid {GoneMonitorPid}) is gone", reconciled.Error);
    }

    [Fact]
    public void An_orphaned_paused_container_is_thawed_as_its_cgroup_is_removed_or_SIGKILL_would_wait()
    {
        using var db = new StateDatabase(_root);
        var store = new ContainerStore(db);
        _runtime.Alive.Add(InitPid);

        Reconciler.Reconcile(store, _runtime, Orphan(store, ContainerStatus.Paused));

        Assert.Equal([$"kill {InitPid} 9", "delete skiff/abc000000000 frozen"], _runtime.Calls);
    }

    [Fact]
    public void An_orphan_whose_program_had_already_ended_gets_the_unknown_exit_code_not_a_kill()
    {
        using var db = new StateDatabase(_root);
        var store = new ContainerStore(db);

        var reconciled = Reconciler.Reconcile(store, _runtime, Orphan(store, ContainerStatus.Running));

        Assert.Equal(Reconciler.UnknownExitCode, reconciled!.ExitCode);
    }

    [Fact]
    public void A_container_in_its_own_cgroup_parent_is_cleaned_up_there()
    {
        using var db = new StateDatabase(_root);
        var store = new ContainerStore(db);
        var record = Running("abc") with { Request = new RunRequest { Image = "busybox", CgroupParent = "batch/jobs" } };
        store.Insert(record);

        Reconciler.Reconcile(store, _runtime, record);

        Assert.Equal(["delete batch/jobs/abc000000000"], _runtime.Calls);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
