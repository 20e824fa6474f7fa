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
    private readonly string _root = Directory.CreateTempSubdirectory("skiff-state").FullName;

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

        var reconciled = Reconciler.Reconcile(store, stale);

        Assert.Equal(ContainerStatus.Exited, reconciled!.Status);
        Assert.Equal(4, reconciled.ExitCode);
        Assert.Equal(4, store.Find("web").ExitCode);
    }

    [Fact]
    public void A_container_removed_after_the_read_is_reported_gone_not_an_error()
    {
        using var db = new StateDatabase(_root);
        var store = new ContainerStore(db);
        var stale = Running("abc");
        store.Insert(stale);
        store.Delete(stale.Id);

        Assert.Null(Reconciler.Reconcile(store, stale));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
