using Skiff.Network;
using System.Net;
using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.Networks;
using Skiff.Engine.State;
using Skiff.Network.Netfilter;
using Skiff.Network.Ports;

namespace Skiff.UnitTests.Engine;

/// <summary>
/// A lost or damaged state database is refused with the fix instead of being taken for a new one,
/// and <c>system repair</c> puts back what the copies beside it and the live processes say.
/// </summary>
public sealed class StateDamageTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("skiff-damage").FullName;
    private string DbPath => Path.Join(_root, "skiff.db");

    private static readonly string RunningId = "a1".PadRight(64, '0'), StoppedId = "b2".PadRight(64, '0');

    /// <summary>Two containers as create and start leave them: records, directories, copies, and an address with a port for the running one.</summary>
    private void MakeState()
    {
        using var db = new StateDatabase(_root);
        var containers = new ContainerStore(db);
        var networks = new NetworkStore(db);
        networks.Insert("front", "br-front", Ipv4Prefix.Parse("10.77.0.0/24"), IPAddress.Parse("10.77.0.1"), false, true, null);
        foreach (var (id, name) in new[] { (RunningId, "web"), (StoppedId, "idle") })
        {
            var record = new ContainerRecord
            {
                Id = id, Name = name, Image = "busybox", ImageId = "sha256:" + new string('a', 64),
                Created = new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc),
                Request = new RunRequest { Image = "busybox", Command = ["sleep", "1000"], Networks = [new NetworkAttachment("front")] },
            };
            containers.Insert(record);
            Directory.CreateDirectory(Path.Join(_root, "containers", id));
            containers.WriteCopy(record);
        }
        File.WriteAllText(Path.Join(_root, "containers", StoppedId, $"{StoppedId}-json.log"), "");
        networks.Allocate("front", RunningId, PortRequest.Parse("18080:80"), new HostPortChooser(_ => false, (32768, 32775)));
        containers.Update(RunningId, c => c with { Status = ContainerStatus.Running, Pid = 4242, MonitorPid = 4241 });
    }

    private StateDamagedException Refusal() => Assert.Throws<StateDamagedException>(() => new StateDatabase(_root).Dispose());

    [Fact]
    public void A_deleted_database_with_containers_left_is_refused_with_the_fix()
    {
        MakeState();
        foreach (var f in Directory.GetFiles(_root, "skiff.db*")) File.Delete(f);

        var message = Refusal().Message;
        Assert.Contains("is missing", message);
        Assert.Contains("skiff system repair", message);
    }

    [Fact]
    public void A_database_truncated_to_nothing_is_refused()
    {
        MakeState();
        File.WriteAllBytes(DbPath, []);
        Assert.Contains("is empty", Refusal().Message);
    }

    [Fact]
    public void A_database_cut_in_half_is_refused()
    {
        MakeState();
        using (var s = new FileStream(DbPath, FileMode.Open)) s.SetLength(s.Length / 2);
        Assert.Contains("truncated", Refusal().Message);
    }

    [Fact]
    public void A_database_overwritten_with_garbage_is_refused()
    {
        MakeState();
        File.WriteAllBytes(DbPath, System.Security.Cryptography.RandomNumberGenerator.GetBytes(8192));
        Assert.Contains("not a SQLite database", Refusal().Message);
    }

    [Fact]
    public void A_fresh_state_directory_gets_a_new_database()
    {
        using var db = new StateDatabase(_root);
        Assert.Empty(new ContainerStore(db).List());
    }

    private sealed class FakeLive(IReadOnlyDictionary<string, LiveContainer> running) : ILiveContainers
    {
        public List<string> Killed { get; } = [];
        public LiveContainer? Find(string id, string? cgroupParent) => running.GetValueOrDefault(id);
        public void Kill(string id) => Killed.Add(id);
    }

    [Fact]
    public void Repair_puts_back_running_containers_with_their_addresses_and_ports_and_the_networks()
    {
        MakeState();
        foreach (var f in Directory.GetFiles(_root, "skiff.db*")) File.Delete(f);
        var started = new DateTime(2026, 12, 1, 11, 0, 0, DateTimeKind.Utc);

        var report = new StateRepair(new SkiffPaths(_root), new FakeLive(new Dictionary<string, LiveContainer> { [RunningId] = new(4242, 4241, started) })).Run(clean: false);

        Assert.Equal(["front"], report.Networks);
        Assert.Empty(report.Lost);
        using var db = new StateDatabase(_root);
        var web = new ContainerStore(db).Find("web");
        Assert.Equal((ContainerStatus.Running, 4242, 4241, started), (web.Status, web.Pid, web.MonitorPid, web.StartedAt));
        Assert.Equal(["sleep", "1000"], web.Request.Command);
        Assert.Equal(ContainerStatus.Exited, new ContainerStore(db).Find("idle").Status);
        var held = Assert.Single(new NetworkStore(db).Allocations());
        Assert.Equal((RunningId, "10.77.0.2", "0.0.0.0:18080:80/tcp"), (held.ContainerId, held.Address.ToString(), string.Join(',', held.Ports.Select(p => p.Spec))));
        Assert.Equal("10.77.0.0/24", new NetworkStore(db).Find("front").Subnet.ToString());
    }

    [Fact]
    public void Repair_puts_back_a_container_whose_cgroup_is_frozen_as_paused()
    {
        MakeState();
        foreach (var f in Directory.GetFiles(_root, "skiff.db*")) File.Delete(f);
        var started = new DateTime(2026, 12, 1, 11, 0, 0, DateTimeKind.Utc);

        var report = new StateRepair(new SkiffPaths(_root), new FakeLive(new Dictionary<string, LiveContainer> { [RunningId] = new(4242, 4241, started, Frozen: true) })).Run(clean: false);

        Assert.Equal(ContainerStatus.Paused, Assert.Single(report.Containers, c => c.Id == RunningId).Status);
        using var db = new StateDatabase(_root);
        var web = new ContainerStore(db).Find("web");
        Assert.Equal((ContainerStatus.Paused, 4242), (web.Status, web.Pid));
        Assert.Single(new NetworkStore(db).Allocations());
    }

    [Fact]
    public void Repair_sets_a_damaged_database_aside_and_lists_then_cleans_what_has_no_copy()
    {
        MakeState();
        File.WriteAllBytes(DbPath, [1, 2, 3]);
        var orphan = Path.Join(_root, "containers", "c3".PadRight(64, '0'));
        Directory.CreateDirectory(orphan);
        var live = new FakeLive(new Dictionary<string, LiveContainer>());

        var listed = new StateRepair(new SkiffPaths(_root), live).Run(clean: false);
        Assert.NotNull(listed.SetAside);
        Assert.True(File.Exists(listed.SetAside));
        Assert.Equal(orphan, Assert.Single(listed.Lost).Path);
        Assert.True(Directory.Exists(orphan));

        var cleaned = new StateRepair(new SkiffPaths(_root), live).Run(clean: true);
        Assert.Null(cleaned.SetAside);
        Assert.Empty(cleaned.Containers);
        Assert.True(Assert.Single(cleaned.Lost).Cleaned);
        Assert.False(Directory.Exists(orphan));
        Assert.Equal([orphan[^64..]], live.Killed);
    }

    [Fact]
    public void A_renamed_container_comes_back_under_its_new_name()
    {
        MakeState();
        using (var db = new StateDatabase(_root)) new ContainerStore(db).Update(StoppedId, c => c with { Name = "renamed" });
        foreach (var f in Directory.GetFiles(_root, "skiff.db*")) File.Delete(f);

        new StateRepair(new SkiffPaths(_root), new FakeLive(new Dictionary<string, LiveContainer>())).Run(clean: false);
        using var check = new StateDatabase(_root);
        Assert.Equal(StoppedId, new ContainerStore(check).Find("renamed").Id);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
