#!/usr/bin/env bash
# Container start, same run, same busybox rootfs: `skiff run --rm --network none busybox true` (runc's bundle has a bare network namespace too) against
# `runc run` and `crun run` of an equivalent bundle. Prints medians and ratios (hyperfine).
# BASELINE=/path/to/other/skiff adds that build as "skiff-base" (before/after a change in one run).
# Runs inside throwaway network and mount namespaces; leaves nothing behind.
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/sandbox.sh"
runs="${RUNS:-40}"
work="$(mktemp -d /run/skiff-bench.XXXXXX)"
mount -t tmpfs skiff-bench "$work"
export SKIFF_ROOT="$work/skiff"
skiff="$here/out/skiff/skiff"
"$skiff" run --rm --network none busybox true   # creates the built-in image

# A runc bundle with the very same layer as its rootfs.
bundle="$work/bundle"
mkdir -p "$bundle/rootfs"
cp -a "$SKIFF_ROOT"/images/snapshots/*/. "$bundle/rootfs/"
(cd "$bundle" && runc spec)
jq '.process.terminal = false | .process.args = ["true"]' "$bundle/config.json" > "$bundle/config.tmp" && mv "$bundle/config.tmp" "$bundle/config.json"

commands=(-n skiff "$skiff run --rm --network none busybox true" -n runc "runc run -b $bundle skiff-bench-runc")
if [[ -n "${BASELINE:-}" ]]; then
  "$BASELINE" run --rm --network none busybox true
  commands+=(-n skiff-base "$BASELINE run --rm --network none busybox true")
fi
if crun run -b "$bundle" skiff-bench-crun >/dev/null 2>"$work/crun.err"; then
  commands+=(-n crun "crun run -b $bundle skiff-bench-crun")
else
  echo "crun skipped: $(head -c 300 "$work/crun.err")" >&2
  echo "(crun 1.8 refuses this machine's hybrid cgroup layout; the host's cgroup mounts are left as they are)" >&2
fi

hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/start.json" "${commands[@]}" >&2
echo
echo "container start (median over $runs runs; load while measuring: $(cut -d' ' -f1-3 /proc/loadavg)):"
jq -r '.results[] | "\(.command) \(.median)"' "$work/start.json" | while read -r name median; do
  base="$(jq -r '.results[] | select(.command=="runc") | .median' "$work/start.json")"
  printf '  %-10s %7.1f ms   %.2fx runc\n' "$name" "$(echo "$median*1000" | bc -l)" "$(echo "$median/$base" | bc -l)"
done
umount "$work"; rmdir "$work"
