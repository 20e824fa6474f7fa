#!/usr/bin/env bash
# Cross-host routes against the issue's goals, same run:
#   1. convergence: from the start of `node join` on one more node until every other node has the
#      route to its subnet (goal <= 1 s);
#   2. an agent killed: until every peer has dropped its route, against the lease TTL (goal <= TTL + 1 s);
#   3. NODES simulated nodes (namespaces with agents, no containers) against one etcd: until every
#      route table is complete after the last join (goal <= 2 s), and the agents' RSS (goal <= 8 MB).
# Nodes are network namespaces on one LAN bridge, etcd (Debian's etcd-server) in a namespace of its
# own; each node has its own state root on a tmpfs. Leaves nothing behind.
#
# Usage: bench/cluster.sh   (root; NODES=20 TTL=3 by default)
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/sandbox.sh"

nodes="${NODES:-20}"
ttl="${TTL:-3}"
skiff="$here/out/skiff/skiff"
work="$(mktemp -d /run/skiff-cluster.XXXXXX)"
mount -t tmpfs skiff-cluster "$work"
p="skb$$"
etcd_pid=""
cleanup() {
  for f in "$work"/n*/node/agent.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true; done
  [ -n "$etcd_pid" ] && kill "$etcd_pid" 2>/dev/null && wait "$etcd_pid" 2>/dev/null || true
  for ns in $(ip netns list | awk '{print $1}' | grep "^$p" || true); do ip netns delete "$ns"; done
  umount "$work" && rmdir "$work"
}
trap cleanup EXIT

ip netns add "${p}lan"; ip -n "${p}lan" link set lo up
ip -n "${p}lan" link add lan0 type bridge; ip -n "${p}lan" link set lan0 up
plug() { # ns address
  ip netns add "$1"; ip -n "$1" link set lo up
  ip -n "${p}lan" link add "v$1" type veth peer name eth0 netns "$1"
  ip -n "${p}lan" link set "v$1" master lan0; ip -n "${p}lan" link set "v$1" up
  ip -n "$1" addr add "$2/16" dev eth0; ip -n "$1" link set eth0 up
}
plug "${p}etcd" 10.99.0.2
url="http://10.99.0.2:2379"
ip netns exec "${p}etcd" etcd --data-dir "$work/etcd" --listen-client-urls "$url" --advertise-client-urls "$url" \
  --listen-peer-urls http://10.99.0.2:2380 >"$work/etcd.log" 2>&1 &
etcd_pid=$!
until ip netns exec "${p}etcd" curl -sf "$url/health" >/dev/null; do sleep 0.1; done

node() { # index, then skiff args
  local i="$1"; shift
  SKIFF_ROOT="$work/n$i" nsenter --net="/run/netns/${p}n$i" -- "$skiff" "$@"
}
join() { node "$1" node join --etcd "$url" --name "n$1" --lease-ttl "${ttl}s" >/dev/null; }
routes() { ip -n "${p}n$1" route show proto 73 | wc -l; }
now() { date +%s.%N; }

for i in $(seq 1 "$nodes"); do plug "${p}n$i" "10.99.1.$i"; mkdir -p "$work/n$i"; done
node 1 node init --etcd "$url" --cluster-cidr 172.20.0.0/16 >/dev/null

# 3. every node joins; then until all have nodes-1 routes.
for i in $(seq 1 "$nodes"); do join "$i"; done
last=$(now)
for i in $(seq 1 "$nodes"); do until [ "$(routes "$i")" -eq $((nodes - 1)) ]; do sleep 0.02; done; done
complete=$(echo "$(now) - $last" | bc)
rss=$(for f in "$work"/n*/node/agent.pid; do awk '/VmRSS/ {print $2}' "/proc/$(cat "$f")/status"; done | sort -n | tail -1)

# 1. one more node joins: until every other node routes its subnet.
extra=$((nodes + 1))
plug "${p}n$extra" "10.99.1.$extra"; mkdir -p "$work/n$extra"
start=$(now)
join "$extra"
subnet=$(node "$extra" node ls | awk -v n="n$extra" '$1 == n {print $3}')
for i in $(seq 1 "$nodes"); do until ip -n "${p}n$i" route show proto 73 | grep -q "^$subnet "; do sleep 0.01; done; done
converge=$(echo "$(now) - $start" | bc)

# 2. its agent killed: until no peer routes its subnet.
start=$(now)
kill -9 "$(cat "$work/n$extra/node/agent.pid")"
for i in $(seq 1 "$nodes"); do while ip -n "${p}n$i" route show proto 73 | grep -q "^$subnet "; do sleep 0.02; done; done
gone=$(echo "$(now) - $start" | bc)

echo "load: $(uptime)"
printf 'convergence after one node join (%d peers):  %.2f s   (goal <= 1 s)\n' "$nodes" "$converge"
printf 'routes gone after an agent died (TTL %d s):  %.2f s   (goal <= %d s)\n' "$ttl" "$gone" $((ttl + 1))
printf '%d nodes: route tables complete after last join: %.2f s   (goal <= 2 s)\n' "$nodes" "$complete"
printf 'largest agent RSS: %d kB   (goal <= 8192 kB)\n' "$rss"
