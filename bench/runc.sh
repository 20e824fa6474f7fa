#!/usr/bin/env bash
# skiff-runc against runc, same run, same busybox bundle (busybox-static, `runc spec` with `true`):
#   1. `run` of the bundle (goal: <= 0.7x runc),
#   2. create + start + delete as containerd calls them, one process per verb (goal: <= 0.7x),
#   3. `podman --runtime skiff-runc run --rm busybox true` against podman with runc (goal: <= 1.0x).
# Podman runs with its default seccomp profile for both runtimes (skiff-runc compiles and enforces it).
# Prints medians and ratios (hyperfine). Runs inside throwaway network and mount namespaces, with
# every state directory on a tmpfs in there; leaves nothing behind.
# Usage: bench/runc.sh   (root; RUNS=30 by default)
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/sandbox.sh"
runs="${RUNS:-30}"
work="$(mktemp -d /run/skiff-bench-runc.XXXXXX)"
mount -t tmpfs skiff-bench-runc "$work"
runc_skiff="$here/out/skiff/skiff-runc"
cgroups_before="$(find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort)"
podman=()
cleanup() {
  set +eu
  [ "${#podman[@]}" -gt 0 ] && "${podman[@]}" rm -f -a -t 0 >/dev/null 2>&1
  for r in "$runc_skiff --root $work/skiff-root" "runc --root $work/runc-root"; do
    for id in $($r list -q 2>/dev/null); do $r delete --force "$id" >/dev/null 2>&1; done
  done
  comm -13 <(echo "$cgroups_before") <(find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort) | sort -r | xargs -r rmdir 2>/dev/null
  umount -l "$work" 2>/dev/null; rmdir "$work" 2>/dev/null
}
trap cleanup EXIT

bundle="$work/bundle"
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/"
for applet in $(/bin/busybox --list | grep -vx busybox); do ln -sf busybox "$bundle/rootfs/bin/$applet"; done
(cd "$bundle" && runc spec)
jq '.process.terminal = false | .process.args = ["true"]' "$bundle/config.json" > "$bundle/config.tmp" && mv "$bundle/config.tmp" "$bundle/config.json"

skiffr="$runc_skiff --root $work/skiff-root"
runcr="runc --root $work/runc-root"
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/run.json" \
  -n skiff-runc "$skiffr run -b $bundle bench-run" -n runc "$runcr run -b $bundle bench-run" >&2

for name in skiff runc; do
  r="$skiffr"; [ "$name" = runc ] && r="$runcr"
  printf '#!/bin/sh\nset -e\n%s create -b %s bench-cycle\n%s start bench-cycle\n%s delete --force bench-cycle\n' "$r" "$bundle" "$r" "$r" > "$work/cycle-$name"
  chmod +x "$work/cycle-$name"
done
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/cycle.json" -n skiff-runc "$work/cycle-skiff" -n runc "$work/cycle-runc" >&2

podman=(podman --root "$work/podman/root" --runroot "$work/podman/run" --tmpdir "$work/podman/tmp"
        --storage-driver overlay --events-backend file)
[ "$(cat /proc/1/comm)" = systemd ] || podman+=(--cgroup-manager cgroupfs)
podman_run=(--rm --network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768)
mkdir -p "$work/podman"
podman_ok=0
if tar -C "$bundle/rootfs" -c . | "${podman[@]}" import -q - localhost/busybox >/dev/null 2>"$work/podman.err" \
   && "${podman[@]}" --runtime "$runc_skiff" run "${podman_run[@]}" localhost/busybox true >/dev/null 2>>"$work/podman.err"; then
  podman_ok=1
  q() { printf '%q ' "$@"; }
  hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/podman.json" \
    -n skiff-runc "$(q "${podman[@]}")--runtime $runc_skiff run $(q "${podman_run[@]}")localhost/busybox true" \
    -n runc "$(q "${podman[@]}")--runtime runc run $(q "${podman_run[@]}")localhost/busybox true" >&2
else
  echo "podman skipped: $(head -c 400 "$work/podman.err")" >&2
fi

report() { # title, json
  echo "$1:"
  local base; base="$(jq -r '.results[] | select(.command=="runc") | .median' "$2")"
  jq -r '.results[] | "\(.command) \(.median)"' "$2" | while read -r name median; do
    printf '  %-10s %8.1f ms   %5.2fx runc\n' "$name" "$(echo "$median*1000" | bc -l)" "$(echo "$median/$base" | bc -l)"
  done
}
echo
echo "load while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
report "run of a busybox bundle (median over $runs runs)" "$work/run.json"
report "create + start + delete (median over $runs runs)" "$work/cycle.json"
[ "$podman_ok" = 1 ] && report "podman run --rm busybox true (median over $runs runs)" "$work/podman.json"
exit 0
