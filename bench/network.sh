#!/usr/bin/env bash
# Bridge networking against its limits, same run:
#   1. iperf3 throughput container -> container on one bridge, and outside machine -> a port
#      published on the host (DNAT, FORWARD, the veth), each against iperf3 over loopback (the
#      ceiling: the same kernel and the same iperf3, with no veth, bridge or netfilter in between);
#   2. the time of `run -d -p` with no other container and with 100 publishing containers
#      running: a container's start adds only its own rules, so it must not grow with their number.
# Prints the figures and ratios.
#
# iperf3 runs in the containers from the host's /usr (bind-mounted read-only over the busybox
# image), so every side runs the same binary. Everything runs inside throwaway network and mount
# namespaces with Skiff's state on a tmpfs in there; the "outside machine" is one more namespace
# joined by a veth pair. Leaves nothing behind.
#
# Usage: bench/network.sh   (root; SECONDS_EACH=5 RUNS=15 CONTAINERS=100 by default)
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/sandbox.sh"

seconds="${SECONDS_EACH:-5}"
runs="${RUNS:-15}"
containers="${CONTAINERS:-100}"
skiff="$here/out/skiff/skiff"

work="$(mktemp -d /run/skiff-network.XXXXXX)"
mount -t tmpfs skiff-network "$work"
export SKIFF_ROOT="$work/skiff"
outside="skiff-bench-out-$$"
list_cgroups() { find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort; }
cgroups_before="$(list_cgroups)"

cleanup() {
  set +eu
  ids="$("$skiff" ps -aq 2>/dev/null)"
  [ -n "$ids" ] && "$skiff" rm -f $ids >/dev/null 2>&1
  "$skiff" network rm bench >/dev/null 2>&1
  [ -n "${iperf_pid:-}" ] && kill "$iperf_pid" 2>/dev/null
  ip netns del "$outside" 2>/dev/null
  comm -13 <(echo "$cgroups_before") <(list_cgroups) | sort -r | while read -r d; do rmdir "$d" 2>/dev/null; done
  umount "$work" 2>/dev/null
  rmdir "$work" 2>/dev/null
}
trap cleanup EXIT

ip netns add "$outside"
ip link add vbench type veth peer name eth0 netns "$outside"
ip addr add 10.250.0.1/24 dev vbench && ip link set vbench up
ip -n "$outside" addr add 10.250.0.2/24 dev eth0 && ip -n "$outside" link set eth0 up && ip -n "$outside" link set lo up
"$skiff" network create --subnet 10.251.0.0/24 bench >/dev/null

with_iperf=(-v /usr:/usr:ro -v /usr/lib:/lib:ro -v /usr/lib64:/lib64:ro busybox)
gbits() { jq -r '.end.sum_received.bits_per_second / 1e9'; }
wait_for() { for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; "$@"; }

# 1. Throughput.
iperf3 -s -B 127.0.0.1 -p 5201 >/dev/null 2>&1 & iperf_pid=$!
wait_for iperf3 -c 127.0.0.1 -p 5201 -n 1K
loopback="$(iperf3 -c 127.0.0.1 -p 5201 -t "$seconds" -J | gbits)"

server="$("$skiff" run -d --network bench -p 5202:5201 "${with_iperf[@]}" /usr/bin/iperf3 -s -p 5201)"
address="$("$skiff" network inspect bench | jq -r '.[0].Containers | to_entries[0].value.IPv4Address | split("/")[0]')"
wait_for ip netns exec "$outside" iperf3 -c 10.250.0.1 -p 5202 -n 1K
between="$("$skiff" run --rm --network bench "${with_iperf[@]}" /usr/bin/iperf3 -c "$address" -p 5201 -t "$seconds" -J | gbits)"
published="$(ip netns exec "$outside" iperf3 -c 10.250.0.1 -p 5202 -t "$seconds" -J | gbits)"
"$skiff" rm -f "$server" >/dev/null

ratio() { echo "scale=2; $1 / $2" | bc; }
printf '\n%-40s %10s %10s\n' "iperf3, ${seconds}s each" "Gbit/s" "of loopback"
printf '%-40s %10.2f %10s\n' "loopback (the limit)" "$loopback" "1.00"
printf '%-40s %10.2f %10s\n' "container -> container (bridge)" "$between" "$(ratio "$between" "$loopback")"
printf '%-40s %10.2f %10s\n' "outside -> published port (DNAT)" "$published" "$(ratio "$published" "$loopback")"

# 2. `run -d -p` with 0, then with $containers, publishing containers running. Each measured run
# publishes an ephemeral port and is removed before the next (not timed), so the count stays put.
probe="$skiff run -d --name bench-probe --network bench -p 80 busybox sleep 600"
prepare="$skiff rm -f bench-probe >/dev/null 2>&1 || true"
time_run() { hyperfine --style none --warmup 2 --runs "$runs" --prepare "$prepare" --export-json "$work/$1.json" "$probe" >/dev/null; jq -r '.results[0].median * 1000' "$work/$1.json"; }
empty="$(time_run empty)"
seq "$containers" | xargs -P 4 -I{} "$skiff" run -d --network bench -p 80 busybox sleep 600 >/dev/null
running="$("$skiff" ps -q | wc -l)"
rules="$(iptables-save -t nat | grep -c -- '-j DNAT')"
full="$(time_run full)"
eval "$prepare"
printf '\n%-40s %10s\n' "run -d -p (median of $runs)" "ms"
printf '%-40s %10.1f\n' "no other container" "$empty"
printf '%-40s %10.1f\n' "$running publishing containers ($rules DNAT rules)" "$full"
printf '%-40s %10s\n' "ratio" "$(ratio "$full" "$empty")"
