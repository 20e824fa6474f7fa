#!/usr/bin/env bash
# Pull + unpack from a local registry: Skiff against skopeo copy + umoci unpack, same machine, same
# run, for two images: the Debian 12 test image scripts/test-images builds (three real layers,
# ~118 MB compressed), and a synthetic five-layer one of random data (200 MiB, incompressible).
# Prints each image's time, the throughput in MB/s of compressed layers pulled and unpacked, and
# the ratio; then skiff's peak RSS while pulling one layer far larger than any buffer (streaming,
# not buffering). Goal: >= 300 MB/s, and never slower than the pair.
# Everything runs inside a throwaway network namespace whose only interface is loopback; the
# registry and all state live in a temp dir removed at the end.
# Usage: bench/pull.sh [RUNS (3)] [BIG_MB (1024)]
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# The Debian image needs the package mirror: built (or found cached) before the namespaces.
if [ -z "${SKIFF_BENCH_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "$0: run as root" >&2; exit 1; }
  SKIFF_TEST_IMAGES="$("$here/scripts/test-images")"
  export SKIFF_TEST_IMAGES
fi
source "$here/bench/sandbox.sh"
runs="${1:-3}" big_mb="${2:-1024}"
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

# random_image NAME LAYERS MB: an umoci image with LAYERS layers of MB MiB of random data each.
random_image() {
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
echo "pushing images: debian (from $SKIFF_TEST_IMAGES), 5 x 40 MiB random, 1 x $big_mb MiB random..." >&2
skopeo copy -q --dest-tls-verify=false "oci:$SKIFF_TEST_IMAGES/debian/oci:debian" "docker://127.0.0.1:$port/bench/debian:t"
random_image synthetic 5 40
random_image big 1 "$big_mb"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Compressed bytes of an image's layers, from its manifest in the registry.
layer_bytes() { skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$port/bench/$1:t" | jq '[.layers[].size] | add'; }

compare() {
  local name="$1" bytes skiff_total=0 peer_total=0
  bytes="$(layer_bytes "$name")"
  for run in $(seq "$runs"); do
    rm -rf "$work/skiff-root" "$work/peer" && mkdir -p "$work/skiff-root" "$work/peer"
    sync
    t0=$(ms); SKIFF_ROOT="$work/skiff-root" "$skiff" pull -q "127.0.0.1:$port/bench/$name:t" >/dev/null; t1=$(ms)
    sync
    t2=$(ms)
    skopeo copy -q --src-tls-verify=false "docker://127.0.0.1:$port/bench/$name:t" "oci:$work/peer/oci:t" >/dev/null
    umoci unpack --image "$work/peer/oci:t" "$work/peer/bundle" >/dev/null; t3=$(ms)
    echo "  $name run $run: skiff $((t1 - t0)) ms, skopeo+umoci $((t3 - t2)) ms"
    skiff_total=$((skiff_total + t1 - t0)); peer_total=$((peer_total + t3 - t2))
  done
  awk -v n="$name" -v b="$bytes" -v s="$skiff_total" -v p="$peer_total" -v r="$runs" 'BEGIN {
    printf "%s (%.1f MB compressed): skiff %d ms (%.0f MB/s), skopeo copy + umoci unpack %d ms (%.0f MB/s), ratio %.2f (skiff/peer, lower is better)\n",
      n, b / 1e6, s / r, b / 1e6 / (s / r / 1000), p / r, b / 1e6 / (p / r / 1000), s / p }'
}
compare debian
compare synthetic

rm -rf "$work/skiff-root" "$work/peer" && mkdir -p "$work/skiff-root"
SKIFF_ROOT="$work/skiff-root" /usr/bin/time -v "$skiff" pull -q "127.0.0.1:$port/bench/big:t" 2>"$work/time.log" >/dev/null
rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/time.log")
echo "pull of one ${big_mb} MiB layer: skiff peak RSS $((rss_kb / 1024)) MiB"
