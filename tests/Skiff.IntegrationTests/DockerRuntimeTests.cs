namespace Skiff.IntegrationTests;

/// <summary>
/// Debian's dockerd (docker.io 20.10) with skiff-runc added as a runtime (--add-runtime) and chosen
/// per container (--runtime skiff): run, exec and stop come back with the program's exit status,
/// Docker's own seccomp profile holds, an exec'd program that exits at once is still reaped by
/// the shim (its status is not lost to skiff-runc), and a PID 1 that ignores SIGTERM is killed when stop's
/// timeout runs out. dockerd gets its own data-root, exec-root and socket on a tmpfs, no bridge and
/// no iptables; the places it writes regardless are covered by tmpfs mounts in a mount namespace of
/// the scenario's own.
/// </summary>
public sealed class DockerRuntimeTests
{
    [Fact]
    public void Dockerd_runs_execs_and_stops_containers_with_skiff_runc_as_a_runtime()
    {
        const string Status = "{{.State.Status}} {{.State.ExitCode}}", Runtime = "{{.HostConfig.Runtime}}";
        var result = EngineScenario.Run("dockerd", work => $$"""
            W={{work}}
            for d in /etc/docker /run/docker /run/containerd /var/lib/docker /var/lib/containerd /etc/containerd; do
              mkdir -p $d; mount -t tmpfs dockerd-test $d
            done
            dockerd --iptables=false --ip6tables=false --bridge=none --ip-forward=false --ip-masq=false --userland-proxy=false \
              --add-runtime skiff={{EngineScenario.SkiffRunc}} --data-root $W/docker --exec-root $W/exec --pidfile $W/dockerd.pid \
              -H unix://$W/docker.sock --storage-driver overlay2 > $W/dockerd.log 2>&1 &
            trap "kill $!; wait $!" EXIT
            D="/usr/bin/docker -H unix://$W/docker.sock"
            for i in $(seq 300); do $D version >/dev/null 2>&1 && break; sleep 0.1; done
            tar -C $W/rootfs -c . | $D import - busybox >/dev/null
            U="--runtime skiff --network none"
            $D run --rm $U busybox sh -c 'echo run-ok; grep Seccomp: /proc/self/status; exit 3' || echo "run-exit=$?"
            id=$($D run -d $U busybox sh -c 'trap "exit 5" TERM; sleep 100 & wait')
            echo "runtime=$($D inspect -f '{{Runtime}}' $id)"
            $D exec $id sh -c 'echo exec-ok; exit 4' || echo "exec-exit=$?"
            # A program that exits at once must still be reaped by the shim, not by skiff-runc (2 in 20 hung so).
            for i in $(seq 20); do timeout 30 $D exec $id true || echo "exec-lost=$?"; done
            $D stop -t 60 $id >/dev/null
            echo "stopped=$($D inspect -f '{{Status}}' $id)"
            ignoring=$($D run -d $U busybox sleep 100)
            $D stop -t 1 $ignoring >/dev/null
            echo "killed=$($D inspect -f '{{Status}}' $ignoring)"
            $D rm $id $ignoring >/dev/null
            echo "left=$($D ps -aq | wc -l)/$(ls $W/exec/runtime-skiff/moby | wc -l)"
            """);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("run-ok", result.Stdout);
        Assert.Matches(@"Seccomp:\s+2", result.Stdout);
        Assert.Contains("run-exit=3", result.Stdout);
        Assert.Contains("runtime=skiff", result.Stdout);
        Assert.Contains("exec-ok", result.Stdout);
        Assert.Contains("exec-exit=4", result.Stdout);
        Assert.DoesNotContain("exec-lost", result.Stdout);
        Assert.Contains("stopped=exited 5", result.Stdout);
        Assert.Contains("killed=exited 137", result.Stdout);
        Assert.Contains("left=0/0", result.Stdout);
    }
}
