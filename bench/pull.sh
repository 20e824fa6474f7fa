#!/usr/bin/env bash
# Pull + unpack of a multi-layer image from a local registry: Skiff against skopeo copy + umoci
# unpack, same machine, same run; then skiff's peak RSS while pulling one layer far larger than any
# buffer (streaming, not buffering). Everything runs inside a throwaway network namespace whose only
# interface is loopback; the registry and all state live in a temp dir removed at the end.
# Usage: bench/pull.sh [LAYERS (5)] [LAYER_MB (32)] [BIG_MB (1024)] [RUNS (3)]
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
[ "$(id -u)" -eq 0 ] || { echo "bench/pull.sh: run as root (namespaces, mounts)" >&2; exit 1; }
"$here/scripts/install-deps" bench
"$here/skiff" version >/dev/null
if [ -z "${SKIFF_BENCH_INSIDE:-}" ]; then
  exec env SKIFF_BENCH_INSIDE=1 unshare --net --mount --propagation private -- "$0" "$@"
fi
ip link set lo up
layers="${1:-5}" layer_mb="${2:-32}" big_mb="${3:-1024}" runs="${4:-3}"
skiff="$here/out/skiff/skiff"
work="$(mktemp -d /var/tmp/skiff-bench-pull.XXXXXX)"
registry_pid=""
cleanup() { [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

port=5099
cat >"$work/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
YML
/usr/bin/docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done

# make_image NAME LAYERS MB: an umoci image with LAYERS layers of MB MiB of random data each.
make_image() {
  local name="$1" count="$2" mb="$3" dir="$work/build-$1"
  mkdir -p "$dir" && (cd "$dir"
    umoci init --layout oci >/dev/null && umoci new --image oci:t >/dev/null
    for i in $(seq "$count"); do
      umoci unpack --image oci:t bundle >/dev/null
      mkdir -p bundle/rootfs/data && head -c "$((mb << 20))" /dev/urandom >"bundle/rootfs/data/layer$i"
      umoci repack --image oci:t bundle >/dev/null && rm -rf bundle
    done
    skopeo copy -q --dest-tls-verify=false oci:oci:t "docker://127.0.0.1:$port/bench/$name:t")
  rm -rf "$dir"
}
echo "building images: $layers x $layer_mb MiB, and 1 x $big_mb MiB..." >&2
make_image multi "$layers" "$layer_mb"
make_image big 1 "$big_mb"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
skiff_total=0 peer_total=0
for run in $(seq "$runs"); do
  rm -rf "$work/skiff-root" "$work/peer" && mkdir -p "$work/skiff-root" "$work/peer"
  t0=$(ms); SKIFF_ROOT="$work/skiff-root" "$skiff" pull -q "127.0.0.1:$port/bench/multi:t" >/dev/null; t1=$(ms)
  skopeo copy -q --src-tls-verify=false "docker://127.0.0.1:$port/bench/multi:t" "oci:$work/peer/oci:t" >/dev/null
  umoci unpack --image "$work/peer/oci:t" "$work/peer/bundle" >/dev/null; t2=$(ms)
  echo "run $run: skiff $((t1 - t0)) ms, skopeo+umoci $((t2 - t1)) ms"
  skiff_total=$((skiff_total + t1 - t0)); peer_total=$((peer_total + t2 - t1))
done
echo "pull+unpack ${layers}x${layer_mb} MiB: skiff $((skiff_total / runs)) ms, skopeo copy + umoci unpack $((peer_total / runs)) ms," \
     "ratio $(awk "BEGIN {printf \"%.2f\", $skiff_total / $peer_total}") (skiff/peer, lower is better)"

rm -rf "$work/skiff-root" && mkdir -p "$work/skiff-root"
SKIFF_ROOT="$work/skiff-root" /usr/bin/time -v "$skiff" pull -q "127.0.0.1:$port/bench/big:t" 2>"$work/time.log" >/dev/null
rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/time.log")
echo "pull of one ${big_mb} MiB layer: skiff peak RSS $((rss_kb / 1024)) MiB"
