using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>
/// Debian's Podman 4.3 with skiff-runc as its OCI runtime: Podman writes the config.json (its own
/// default seccomp profile included), calls create, start, exec, kill and delete, and reads our
/// state back, as it does with runc. Podman's storage and run directories are a throwaway tmpfs,
/// and the directories it writes outside them are covered by tmpfs mounts in a mount namespace of
/// the scenario's own.
/// </summary>
public sealed class PodmanRuntimeTests
{
    [Fact]
    public void Podman_runs_execs_and_stops_containers_with_skiff_runc_and_its_seccomp_profile_holds()
    {
        const string Status = "{{.State.Status}}";
        Assert.Equal(0, RunSkiff("run", "--rm", "--network", "none", "busybox", "true").ExitCode);
        var snapshot = Directory.GetDirectories(Path.Join(StateRoot, "images", "snapshots"))[0];
        var work = Path.Join(StateRoot, "podman-" + UniqueName());
        var runc = Path.Join(Path.GetDirectoryName(Binary)!, "skiff-runc");
        var script = $$"""
            set -e
            for d in /etc/containers/networks /run/containers /run/libpod /var/lib/containers /etc/cni/net.d /var/lib/cni; do
              mkdir -p $d; mount -t tmpfs podman-test $d
            done
            P="podman --root {{work}}/root --runroot {{work}}/run --tmpdir {{work}}/tmp --storage-driver overlay --events-backend file --cgroup-manager cgroupfs --runtime {{runc}}"
            U="--network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768"
            tar -C {{snapshot}} -c . | $P import -q - localhost/busybox >/dev/null
            $P run --rm $U localhost/busybox sh -c 'echo run-ok; grep Seccomp: /proc/self/status; exit 3' || echo "exit=$?"
            id=$($P run -d $U localhost/busybox sh -c 'trap "exit 0" TERM; sleep 100 & wait')
            $P exec $id sh -c 'echo exec-ok'
            $P stop -t 5 $id >/dev/null
            echo "state=$($P inspect -f '{{Status}}' $id)"
            $P rm $id >/dev/null
            echo "left=$($P ps -aq | wc -l)"
            """;
        var result = Run("unshare", ["--mount", "--propagation", "private", "bash", "-c", script], timeout: TimeSpan.FromMinutes(3));
        Directory.Delete(work, recursive: true);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("run-ok", result.Stdout);
        Assert.Matches(@"Seccomp:\s+2", result.Stdout);
        Assert.Contains("exit=3", result.Stdout);
        Assert.Contains("exec-ok", result.Stdout);
        Assert.Contains("state=exited", result.Stdout);
        Assert.Contains("left=0", result.Stdout);
    }
}
