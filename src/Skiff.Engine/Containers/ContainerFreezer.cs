using Skiff.Engine.State;

namespace Skiff.Engine.Containers;

/// <summary>pause and unpause: the cgroup freezer stops every process of a container without it noticing.</summary>
public sealed class ContainerFreezer(ContainerEngine engine)
{
    public void Pause(string reference)
    {
        var record = engine.Find(reference);
        if (record.Status == ContainerStatus.Paused)
            throw new ConflictException($"container {record.Name} is already paused");
        if (record.Status != ContainerStatus.Running || record.Pid <= 0)
            throw new ConflictException($"container {record.Name} is not running");
        // Recorded first: a pause killed half-way leaves a record that says paused (unpause mends
        // it), never a frozen container that says it runs.
        engine.Update(record.Id, c => c with { Status = ContainerStatus.Paused });
        engine.Runtime.Pause(record.Cgroup());
    }

    public void Unpause(string reference)
    {
        var record = engine.Find(reference);
        if (record.Status != ContainerStatus.Paused)
            throw new ConflictException($"container {record.Name} is not paused");
        engine.Runtime.Resume(record.Cgroup());
        engine.Update(record.Id, c => c with { Status = ContainerStatus.Running });
    }

    /// <summary>
    /// Runs <paramref name="work"/> with a running container paused (recorded, as <see cref="Pause"/>),
    /// then unpauses it unless it was stopped meanwhile (rm -f, kill), when there is nothing to unpause.
    /// </summary>
    public void WhileFrozen(ContainerRecord record, Action work)
    {
        var freeze = record.Status == ContainerStatus.Running;
        if (freeze) Pause(record.Id);
        try { work(); }
        finally
        {
            if (freeze && engine.Find(record.Id).Status == ContainerStatus.Paused) Unpause(record.Id);
        }
    }

    /// <summary>
    /// A frozen process cannot act on a signal, SIGKILL included, so stop, kill and rm -f thaw a
    /// paused container first; it is then running again until the signal ends it.
    /// </summary>
    public static ContainerRecord ThawForSignal(ContainerEngine engine, ContainerRecord record)
    {
        if (record.Status != ContainerStatus.Paused)
            return record;
        engine.Runtime.Resume(record.Cgroup());
        return engine.Update(record.Id, c => c with { Status = ContainerStatus.Running });
    }
}
