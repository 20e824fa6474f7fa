using Skiff.IntegrationTests.Network;
using static Skiff.IntegrationTests.BridgeNetworkTests;
using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>
/// The state database lost or damaged under running containers: every command says so with the fix
/// (instead of forgetting them), and <c>system repair</c> gets them all back, addresses and ports
/// included. These tests damage the shared state directory's database: they run alone.
/// </summary>
[Collection("host state")]
public sealed class StateRepairTests
{
    private static readonly string[] Web = WebServer("repaired");

    private static void DeleteDatabase()
    {
        foreach (var file in Directory.GetFiles(StateRoot, "skiff.db*").Where(f => !f.Contains(".damaged-") && !f.EndsWith(".writers"))) File.Delete(file);
    }

    private static void AssertRefusedWithTheFix(RunResult r) => AssertOneSentence(r, "skiff system repair");

    [Fact]
    public void Deleting_the_database_under_running_containers_is_noticed_and_repair_brings_them_all_back()
    {
        using var outside = new OutsideMachine();
        var ids = new List<string>();
        WithNetwork("10.71.0.0/24", [], net =>
        {
            var web = Detached(net, ["--name", "repair-web", "-p", "18071:80", .. Web]);
            var peer = Detached(net, ["--name", "repair-peer", "busybox", "sleep", "1000"]);
            var plain = RunDetached("--name", "repair-plain", "busybox", "sleep", "1000");
            ids.AddRange([web, peer, plain]);
            try
            {
                var addresses = new[] { web, peer, plain }.ToDictionary(id => id, Address);
                Assert.Contains("repaired", Eventually(() => outside.Bash(PublishedPortTests.Get(OutsideMachine.HostAddress, 18071))).Stdout);

                DeleteDatabase();
                AssertRefusedWithTheFix(RunSkiff("ps", "-a"));
                AssertRefusedWithTheFix(RunSkiff("rm", "-f", "repair-peer"));
                AssertRefusedWithTheFix(RunSkiff(["run", "-d", "--network", net, "-p", "18071:80", .. Web]));

                var repair = Ok(RunSkiff("system", "repair"));
                Assert.Contains("repair-web", repair.Stdout);

                var ps = Ok(RunSkiff("ps", "--format", "{{.Names}} {{.State}} {{.Ports}}")).Stdout;
                Assert.Contains("repair-web running 0.0.0.0:18071->80/tcp", ps);
                Assert.Contains("repair-peer running", ps);
                Assert.Contains("repair-plain running", ps);
                foreach (var (id, address) in addresses) Assert.Equal(address, Address(id));
                Assert.Contains("repaired", Eventually(() => outside.Bash(PublishedPortTests.Get(OutsideMachine.HostAddress, 18071))).Stdout);
                // The port is known to be taken again, and a new container gets a free address.
                var taken = RunSkiff(["run", "-d", "--network", net, "-p", "18071:80", .. Web]);
                Assert.Equal(125, taken.ExitCode);
                Assert.Contains("already", taken.Stderr);
                var newcomer = Detached(net, "busybox", "sleep", "1000");
                Assert.DoesNotContain(Address(newcomer), addresses.Values);
                Assert.Equal(0, RunSkiff("rm", "-f", newcomer).ExitCode);
                // A second repair finds nothing to do.
                Assert.Contains("0 containers and 0 networks restored, 0 left", Ok(RunSkiff("system", "repair")).Stdout);
            }
            finally
            {
                // Whatever failed, the shared state directory is left with a database for the tests after this one.
                RunSkiff("system", "repair");
                RunSkiff("rm", "-f", "repair-web", "repair-peer", "repair-plain");
            }
        });
        // Their own cgroups only: the shared parent may hold other suites' containers.
        foreach (var id in ids) Assert.Equal("", Sh($"find /sys/fs/cgroup -maxdepth 3 -name {id}").Stdout);
    }

    /// <summary>A paused container's processes stay frozen without their record: repair says paused, and unpause lets it run on.</summary>
    [Fact]
    public void Repair_brings_a_paused_container_back_paused()
    {
        var id = RunDetached("--name", "repair-paused", "busybox", "sh", "-c", "while true; do date +%s%N > /tick; sleep 0.05; done");
        try
        {
            Ok(RunSkiff("pause", id));
            DeleteDatabase();
            Ok(RunSkiff("system", "repair"));

            Assert.Equal("paused", Status(id));
            // Docker's refusal, and its exit status for a daemon's refusal.
            AssertOneSentence(RunSkiff("exec", id, "true"), "is paused, unpause the container", exitCode: 1);
            Ok(RunSkiff("unpause", id));
            Assert.Equal("running", Status(id));
            var tick = Ok(RunSkiff("exec", id, "cat", "/tick")).Stdout;
            Sandbox.Eventually(() => Ok(RunSkiff("exec", id, "cat", "/tick")).Stdout != tick, "the unpaused container runs on");
        }
        finally
        {
            RunSkiff("system", "repair");
            // Thawed by hand too: a frozen process ignores even SIGKILL, and a repair that says it runs
            // (the broken behaviour) would leave rm -f unable to end it and its monitor.
            Sh($"for d in $(find /sys/fs/cgroup -maxdepth 3 -type d -name {id}); do " +
               "[ -f $d/freezer.state ] && echo THAWED > $d/freezer.state; [ -f $d/cgroup.freeze ] && echo 0 > $d/cgroup.freeze; done");
            RunSkiff("rm", "-f", id);
        }
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("half")]
    [InlineData("garbage")]
    public void A_damaged_database_is_refused_in_one_sentence_and_repair_sets_it_aside(string damage)
    {
        var name = $"repair-{damage}";
        Ok(RunSkiff("create", "--name", name, "busybox", "true"));
        try
        {
            var path = Path.Join(StateRoot, "skiff.db");
            // Checkpointed first, so that the file is the whole database, as after any quiet spell.
            Ok(Sh($"sqlite3 {path} 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null 2>&1 || true"));
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, damage switch
            {
                "empty" => [],
                "half" => bytes[..(bytes.Length / 2)],
                _ => System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes.Length),
            });
            foreach (var f in Directory.GetFiles(StateRoot, "skiff.db-*")) File.Delete(f);

            AssertRefusedWithTheFix(RunSkiff("ps", "-a"));
            var repair = Ok(RunSkiff("system", "repair"));
            if (damage != "empty") Assert.Contains("the damaged database was moved to", repair.Stdout);
            Assert.Contains($"{name} created", Ok(RunSkiff("ps", "-a", "--format", "{{.Names}} {{.State}}")).Stdout);
        }
        finally
        {
            RunSkiff("system", "repair");
            RunSkiff("rm", "-f", name);
        }
    }
}
