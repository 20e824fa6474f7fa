namespace Skiff.IntegrationTests;

/// <summary>
/// Debian's containerd 1.6 with skiff-runc as the runc binary of its runc v2 shim: ctr runs a
/// busybox rootfs in the foreground and detached, with a log file, an exec, a kill and a delete,
/// and the exit statuses come back through the shim as they do with runc. containerd gets its own
/// root, state and socket on a tmpfs; the places it writes regardless are covered by tmpfs mounts
/// in a mount namespace of the scenario's own.
/// </summary>
public sealed class ContainerdRuntimeTests
{
    [Fact]
    public void Containerd_runs_execs_kills_and_deletes_tasks_with_skiff_runc()
    {
        var result = EngineScenario.Run("containerd", work => $$"""
            W={{work}}
            for d in /run/containerd /var/lib/containerd /etc/containerd; do mkdir -p $d; mount -t tmpfs containerd-test $d; done
            printf 'version = 2\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\nroot = "%s/root"\nstate = "%s/state"\n[grpc]\n  address = "%s/c.sock"\n' $W $W $W > $W/config.toml
            containerd --config $W/config.toml > $W/containerd.log 2>&1 &
            trap "kill $!; wait $!" EXIT
            for i in $(seq 300); do ctr -a $W/c.sock version >/dev/null 2>&1 && break; sleep 0.1; done
            C="ctr -a $W/c.sock"
            R="--rootfs --runc-binary {{EngineScenario.SkiffRunc}}"
            stopped() { for i in $(seq 200); do $C task ls | grep -q "^$1 .*STOPPED" && return; sleep 0.1; done; }
            $C run $R --seccomp --rm $W/rootfs t1 sh -c 'echo run-ok; grep Seccomp: /proc/self/status; exit 3' || echo "run-exit=$?"
            $C run $R -d --log-uri file://$W/t2.log $W/rootfs t2 sh -c 'echo logged; trap "exit 5" TERM; sleep 100 & wait'
            echo "state=$({{EngineScenario.SkiffRunc}} --root /run/containerd/runc/default state t2 | grep -o '"status": *"[a-z]*"')"
            $C task exec --exec-id e1 t2 sh -c 'echo exec-ok; exit 4' || echo "exec-exit=$?"
            $C task kill -s SIGTERM t2
            stopped t2
            $C task delete t2 2>&1 | grep -o 'exit code [0-9]*' | sed 's/^/t2 /'
            $C container delete t2
            echo "log=$(cat $W/t2.log)"
            $C run $R -d $W/rootfs t3 sleep 100
            $C task kill -s SIGKILL t3
            stopped t3
            $C task delete t3 2>&1 | grep -o 'exit code [0-9]*' | sed 's/^/t3 /'
            $C container delete t3
            echo "left=$($C task ls -q | wc -l)/$($C container ls -q | wc -l)/$(ls /run/containerd/runc/default | wc -l)"
            """);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("run-ok", result.Stdout);
        Assert.Matches(@"Seccomp:\s+2", result.Stdout);
        Assert.Contains("run-exit=3", result.Stdout);
        Assert.Matches("state=\"status\": *\"running\"", result.Stdout);
        Assert.Contains("exec-ok", result.Stdout);
        Assert.Contains("exec-exit=4", result.Stdout);
        Assert.Contains("t2 exit code 5", result.Stdout);
        Assert.Contains("log=logged", result.Stdout);
        Assert.Contains("t3 exit code 137", result.Stdout);
        Assert.Contains("left=0/0/0", result.Stdout);
    }
}
