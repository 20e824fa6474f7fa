using static Skiff.IntegrationTests.BridgeNetworkTests;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>
/// Faults from outside: a full disk, a read-only state directory, a kill in the middle of network
/// create and rm, a container's log deleted while it writes. Each ends in one clear sentence and a
/// state the next command can finish or undo, with nothing committed lost.
/// </summary>
[Collection("host state")]
public sealed class FaultInjectionTests
{
    private const int KilledBySigkill = 137;

    [Fact]
    public void A_full_disk_fails_run_and_commit_in_one_sentence_and_both_work_once_there_is_room()
    {
        using var state = new SmallStateRoot("24m");
        Assert.Equal(0, state.Skiff("run", "--rm", "--network", "none", "busybox", "true").ExitCode);
        Ok(state.Skiff("run", "-d", "--network", "none", "--name", "full-source", "busybox", "sh", "-c", "echo kept > /kept; exec sleep 1000"));
        var containersBefore = state.Skiff("ps", "-aq").Stdout;

        state.Fill();
        AssertOneSentence(state.Skiff("run", "-d", "--network", "none", "--name", "full-run", "busybox", "true"), "free some space");
        AssertOneSentence(state.Skiff("commit", "full-source", "full-image"), "free some space");

        // Even a read may need room (SQLite's shared-memory index): what was refused is checked once there is some.
        state.Free();
        Assert.Equal(containersBefore, state.Skiff("ps", "-aq").Stdout);
        Assert.NotEqual(0, state.Skiff("image", "inspect", "full-image").ExitCode);
        Assert.Equal("running", System.Text.Json.JsonDocument.Parse(state.Skiff("inspect", "full-source").Stdout).RootElement[0].GetProperty("State").GetProperty("Status").GetString());
        Ok(state.Skiff("run", "-d", "--network", "none", "--name", "full-run", "busybox", "sleep", "1000"));
        Ok(state.Skiff("commit", "full-source", "full-image"));
        Assert.Equal("kept\n", Ok(state.Skiff("run", "--rm", "--network", "none", "full-image", "cat", "/kept")).Stdout);
    }

    /// <summary>
    /// Each verb that writes, on a disk with room for the database but not for what it stores (a
    /// layer, a file copied in), or with no room at all: one sentence, exit 125, and nothing of it
    /// left (no image, volume, network or container, no temp file, no container left paused); each
    /// works once there is room.
    /// </summary>
    [Fact]
    public void A_full_disk_fails_every_verb_that_writes_in_one_sentence_and_leaves_nothing_half_done()
    {
        using var state = new SmallStateRoot("48m");
        var work = Path.Join(Path.GetTempPath(), UniqueName());
        Directory.CreateDirectory(Path.Join(work, "context"));
        try
        {
            // Debian's own binaries, 8 MB of random data: real files at a size a small disk cannot take.
            Ok(Sh($"head -c 8M /dev/urandom > {work}/context/big && printf 'FROM busybox\nCOPY big /big\n' > {work}/context/Dockerfile"));
            Ok(Sh($"tar -C {work}/context -cf {work}/rootfs.tar big"));
            Ok(state.Skiff("build", "-q", "-t", "big-archived", Path.Join(work, "context")));
            Ok(state.Skiff("save", "-o", Path.Join(work, "big.tar"), "big-archived"));
            Ok(state.Skiff("rmi", "big-archived"));
            Ok(state.Skiff("builder", "prune", "-f"));
            Ok(state.Skiff("run", "-d", "--network", "none", "--name", "full-source", "busybox", "sh", "-c", "head -c 8388608 /dev/urandom > /data; exec sleep 1000"));
            Eventually(() => state.Skiff("exec", "full-source", "stat", "-c", "%s", "/data").Stdout.Trim() == "8388608", "the container wrote its data");
            var images = Ok(state.Skiff("images", "-q")).Stdout;

            state.FillLeaving(2048);
            AssertOneSentence(state.Skiff("cp", Path.Join(work, "context", "big"), "full-source:/"), "no space left");
            Assert.Equal("running", state.Status("full-source"));
            Assert.NotEqual(0, state.Skiff("exec", "full-source", "test", "-e", "/big").ExitCode);
            AssertOneSentence(state.Skiff("commit", "full-source", "full-commit"), "no space left");
            AssertOneSentence(state.Skiff("build", "-q", "-t", "full-build", Path.Join(work, "context")), "no space left");
            AssertOneSentence(state.Skiff("load", "-i", Path.Join(work, "big.tar")), "no space left");
            AssertOneSentence(state.Skiff("import", Path.Join(work, "rootfs.tar"), "full-import"), "no space left");
            Assert.Equal(images, Ok(state.Skiff("images", "-q")).Stdout);
            Assert.Equal("", state.Leftovers());
            state.Free();

            state.Fill();
            AssertOneSentence(state.Skiff("create", "--network", "none", "--name", "full-create", "busybox", "true"), "free some space");
            AssertOneSentence(state.Skiff("volume", "create", "full-volume"), "free some space");
            AssertOneSentence(state.Skiff("network", "create", "--subnet", "10.77.0.0/24", "full-network"), "free some space");
            state.Free();

            Assert.Equal("full-source\n", Ok(state.Skiff("ps", "-a", "--format", "{{.Names}}")).Stdout);
            Assert.Equal("", Ok(state.Skiff("volume", "ls", "-q")).Stdout);
            Assert.DoesNotContain("full-network", Ok(state.Skiff("network", "ls")).Stdout);
            Assert.Equal(images, Ok(state.Skiff("images", "-q")).Stdout);
            Assert.Equal("", state.Leftovers());

            Ok(state.Skiff("cp", Path.Join(work, "context", "big"), "full-source:/"));
            Ok(state.Skiff("build", "-q", "-t", "full-build", Path.Join(work, "context")));
            Ok(state.Skiff("volume", "create", "full-volume"));
            Ok(state.Skiff("volume", "rm", "full-volume"));
            Ok(state.Skiff("network", "create", "--subnet", "10.77.0.0/24", "full-network"));
            Ok(state.Skiff("network", "rm", "full-network"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public void A_read_only_state_directory_refuses_changes_in_one_sentence_and_changes_nothing()
    {
        using var state = new SmallStateRoot("64m");
        Ok(state.Skiff("create", "--network", "none", "--name", "ro-kept", "busybox", "true"));

        Ok(Sh($"mount -o remount,ro {state.Root}"));
        try
        {
            AssertOneSentence(state.Skiff("run", "--rm", "--network", "none", "busybox", "true"), "is read-only");
            AssertOneSentence(state.Skiff("rm", "ro-kept"), "is read-only");
        }
        finally
        {
            Ok(Sh($"mount -o remount,rw {state.Root}"));
        }
        Assert.Equal("ro-kept created\n", Ok(state.Skiff("ps", "-a", "--format", "{{.Names}} {{.State}}")).Stdout);
        Ok(state.Skiff("run", "--rm", "--network", "none", "busybox", "true"));
    }

    private static bool LinkExists(string name) => Sh($"ip link show {name}").ExitCode == 0;

    private static string? BridgeOf(string network)
    {
        var r = RunSkiff("network", "inspect", network);
        return r.ExitCode != 0 ? null : "br-" + System.Text.Json.JsonDocument.Parse(r.Stdout).RootElement[0].GetProperty("Id").GetString()![..12];
    }

    /// <summary>
    /// network create killed at each step: the network is there and usable (a container joins it
    /// and reaches its gateway), or not there at all; either way `network rm` leaves no bridge.
    /// </summary>
    [Fact]
    public void Killing_network_create_or_rm_at_any_step_leaves_a_network_that_works_or_none()
    {
        var bridgesBefore = Sh("ip -o link show type bridge | awk -F': ' '{print $2}'").Stdout;
        foreach (var step in new[] { "network-create:recorded", "network-create:bridge-made", "network-create:rules-applied" })
        {
            var name = Unique("kn");
            var killed = SkiffWithEnv("SKIFF_CRASH_AT", step, "network", "create", "--subnet", "10.76.0.0/24", name);
            Assert.True(killed.ExitCode == KilledBySigkill, $"network create was not killed at {step}: {killed}");

            Assert.NotNull(BridgeOf(name));
            var ping = RunSkiff("run", "--rm", "--network", name, "busybox", "ping", "-c1", "-W2", "10.76.0.1");
            Assert.True(ping.ExitCode == 0, $"a container on a network killed at {step}: {ping}");

            var bridge = BridgeOf(name)!;
            var rmKilled = SkiffWithEnv("SKIFF_CRASH_AT", "network-rm:bridge-removed", "network", "rm", name);
            Assert.Equal(KilledBySigkill, rmKilled.ExitCode);
            Assert.False(LinkExists(bridge), "the bridge outlived its removal");
            Ok(RunSkiff("network", "rm", name));
            Assert.Null(BridgeOf(name));
        }
        Assert.Equal(bridgesBefore, Sh("ip -o link show type bridge | awk -F': ' '{print $2}'").Stdout);
    }

    /// <summary>The log file deleted under a running container (logrotate gone wrong, a user's rm): the container runs on and its later output is logged again.</summary>
    [Fact]
    public void Deleting_a_container_s_log_while_it_writes_loses_no_later_output()
    {
        var id = RunDetached("busybox", "sh", "-c", "i=0; while true; do i=$((i+1)); echo line$i; sleep 0.1; done");
        try
        {
            Sandbox.Eventually(() => RunSkiff("logs", id).Stdout.Contains("line3"), "the container writes");
            var log = Path.Join(StateRoot, "containers", id, $"{id}-json.log");
            File.Delete(log);
            Sandbox.Eventually(() => RunSkiff("logs", id) is { ExitCode: 0 } r && r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 3, "later lines are logged again");
            Assert.Equal("running", Status(id));
            var lines = RunSkiff("logs", id).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.All(lines, l => Assert.StartsWith("line", l));
            Ok(RunSkiff("stop", "-t", "1", id));
        }
        finally
        {
            RunSkiff("rm", "-f", id);
        }
    }
}
