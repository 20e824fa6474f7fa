#!/usr/bin/env bash
# Container lifecycle against podman, docker and runc, same run, same busybox layer:
#   1. `run -d` + `stop -t 0` + `rm` of a busybox container (no network), against podman and docker,
#   2. `exec CTR true` in a running container, against `runc exec` (and podman's and docker's exec),
#   3. memory (RSS and PSS from /proc/<pid>/smaps_rollup) of the per-container monitor:
#      `skiff monitor`, podman's `conmon`, docker's `containerd-shim-runc-v2`, 5 containers each,
#   4. `skiff ps` with 100 running containers (goal: 20 ms), against `podman ps` with as many,
#   5. `run --rm busybox true` on each engine's default bridge network (skiff's veth, address,
#      rules; podman's CNI bridge), the bridge counterpart of bench/start.sh.
# Prints medians and each one's ratio to the peer named (hyperfine), and a memory table.
#
# Peers come from Debian's packages (scripts/install-deps bench). Podman and docker get the very
# same rootfs as skiff's built-in busybox, imported from skiff's snapshot (no registry, no network).
# Everything runs inside throwaway network and mount namespaces, with every engine's state on a
# tmpfs in there: dockerd (and the containerd it starts) is started here with its own data-root,
# exec-root and unix socket, and stopped at the end; podman gets its own --root/--runroot/--tmpdir.
# Leaves nothing behind: no containers, no daemons, no mounts, no new cgroups, no host network change.
#
# Podman 4.3 on this machine needs `--runtime runc` (crun 1.8 refuses the hybrid cgroup layout)
# and explicit `--ulimit nofile=20000:20000 --ulimit nproc=32768:32768` (its defaults exceed what
# the sandbox allows, and the OCI runtime fails to set them); `--cgroup-manager cgroupfs` when
# systemd is not PID 1. All engines run with `--network none`.
#
# Usage: bench/lifecycle.sh   (root; RUNS=20 EXEC_RUNS=40 MONITORS=5 PS_CONTAINERS=100 by default)
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/sandbox.sh"

runs="${RUNS:-20}"
exec_runs="${EXEC_RUNS:-40}"
monitors="${MONITORS:-5}"
ps_containers="${PS_CONTAINERS:-100}"
skiff="$here/out/skiff/skiff"

work="$(mktemp -d /run/skiff-lifecycle.XXXXXX)"
mount -t tmpfs skiff-lifecycle "$work"
export SKIFF_ROOT="$work/skiff"
source "$here/bench/dockerd.sh"

# cgroups that exist now; any created by the engines during the run are removed at the end.
list_cgroups() { find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort; }
cgroups_before="$(list_cgroups)"

podman_ok=0 podman=()
cleanup() {
  set +eu
  "$skiff" rm -f $("$skiff" ps -aq 2>/dev/null) >/dev/null 2>&1
  if [ "${#podman[@]}" -gt 0 ] && [ -d "$work/podman" ]; then
    "${podman[@]}" rm -f -a -t 0 >/dev/null 2>&1
  fi
  dockerd_stop
  # Stray shims or monitors whose state lives under $work (they should all be gone by now).
  for p in /proc/[0-9]*; do
    case "$(cat "$p/comm" 2>/dev/null)" in skiff|conmon|containerd|containerd-shim|dockerd) ;; *) continue ;; esac
    if tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q -- "$work"; then kill -9 "${p#/proc/}" 2>/dev/null; fi
  done
  sleep 0.2
  # Unmount everything under $work (overlays, shm, netns files...), deepest first, then $work.
  awk -v w="$work" '$5 == w || index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null; done
  rmdir "$work" 2>/dev/null
  unshadow_engine_dirs
  # New cgroups (skiff's, libpod_parent, docker), deepest first.
  list_cgroups | comm -13 <(echo "$cgroups_before") - | sort -r | while read -r c; do rmdir "$c" 2>/dev/null; done
  left="$(list_cgroups | comm -13 <(echo "$cgroups_before") -)"
  [ -n "$left" ] && echo "warning: cgroups left behind: $left" >&2
}
trap cleanup EXIT

shadow_engine_dirs

"$skiff" run --rm --network none busybox true   # creates the built-in image
snapshot="$(ls -d "$SKIFF_ROOT"/images/snapshots/*/ | head -n1)"

# The container's command: PID 1 is a shell that exits on SIGTERM, so `stop` is a graceful stop
# for every engine (a bare `sleep` as PID 1 ignores SIGTERM and would measure the kill timeout).
payload='trap "exit 0" TERM; sleep 1000 & wait'

# --- podman -------------------------------------------------------------------------------
podman=(podman --root "$work/podman/root" --runroot "$work/podman/run" --tmpdir "$work/podman/tmp"
        --storage-driver overlay --events-backend file --runtime runc)
[ "$(cat /proc/1/comm)" = systemd ] || podman+=(--cgroup-manager cgroupfs)
podman_run=(--network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768)
mkdir -p "$work/podman"
if ! command -v podman >/dev/null; then
  echo "podman skipped: not installed" >&2
elif ! tar -C "$snapshot" -c . | "${podman[@]}" import -q - localhost/busybox >/dev/null 2>"$work/podman.err"; then
  echo "podman skipped: import failed: $(head -c 400 "$work/podman.err")" >&2
elif ! "${podman[@]}" run --rm "${podman_run[@]}" localhost/busybox true >/dev/null 2>"$work/podman.err"; then
  echo "podman skipped: run failed: $(head -c 400 "$work/podman.err")" >&2
else
  podman_ok=1
fi

# --- docker -------------------------------------------------------------------------------
dockerd_start
if [ "$docker_ok" = 1 ]; then
  if ! tar -C "$snapshot" -c . | dockerc import - busybox >/dev/null 2>"$work/docker.err"; then
    echo "docker skipped: import failed: $(head -c 400 "$work/docker.err")" >&2
    docker_ok=0
  elif ! dockerc run --rm --network none busybox true >/dev/null 2>"$work/docker.err"; then
    echo "docker skipped: run failed: $(head -c 400 "$work/docker.err")" >&2
    docker_ok=0
  fi
fi

# --- 1. run -d + stop + rm ----------------------------------------------------------------
q() { printf '%q ' "$@"; }
cat > "$work/cycle-skiff" <<EOF
#!/bin/sh -e
id=\$($(q "$skiff") run -d --network none busybox sh -c $(q "$payload"))
$(q "$skiff") stop -t 0 "\$id" >/dev/null
$(q "$skiff") rm "\$id" >/dev/null
EOF
cat > "$work/cycle-podman" <<EOF
#!/bin/sh -e
id=\$($(q "${podman[@]}") run -d $(q "${podman_run[@]}") localhost/busybox sh -c $(q "$payload"))
$(q "${podman[@]}") stop -t 0 "\$id" >/dev/null
$(q "${podman[@]}") rm "\$id" >/dev/null
EOF
cat > "$work/cycle-docker" <<EOF
#!/bin/sh -e
id=\$($(q "$docker_cli" -H "unix://$dsock") run -d --network none busybox sh -c $(q "$payload"))
$(q "$docker_cli" -H "unix://$dsock") stop -t 0 "\$id" >/dev/null
$(q "$docker_cli" -H "unix://$dsock") rm "\$id" >/dev/null
EOF
chmod +x "$work"/cycle-*

cycle=(-n skiff "$work/cycle-skiff")
[ "$podman_ok" = 1 ] && cycle+=(-n podman "$work/cycle-podman")
[ "$docker_ok" = 1 ] && cycle+=(-n docker "$work/cycle-docker")
hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/cycle.json" "${cycle[@]}" >&2

# --- 2. exec CTR true ---------------------------------------------------------------------
sctr="$("$skiff" run -d --network none busybox sh -c "$payload")"
execs=(-n skiff "$skiff exec $sctr true")
if [ "$podman_ok" = 1 ]; then
  pctr="$("${podman[@]}" run -d "${podman_run[@]}" localhost/busybox sh -c "$payload")"
  execs+=(-n podman "$(q "${podman[@]}")exec $pctr true")
fi
if [ "$docker_ok" = 1 ]; then
  dctr="$(dockerc run -d --network none busybox sh -c "$payload")"
  execs+=(-n docker "$docker_cli -H unix://$dsock exec $dctr true")
fi
# runc's own exec, in a container runc runs from the same layer (a bundle as bench/start.sh makes).
bundle="$work/bundle"
mkdir -p "$bundle/rootfs"
cp -a "$snapshot/." "$bundle/rootfs/"
(cd "$bundle" && runc spec)
jq --arg p "$payload" '.process.terminal = false | .process.args = ["sh", "-c", $p]' "$bundle/config.json" > "$bundle/config.tmp" && mv "$bundle/config.tmp" "$bundle/config.json"
runc_ok=0
if runc run -d -b "$bundle" skiff-bench-exec </dev/null >/dev/null 2>"$work/runc.err"; then
  runc_ok=1
  execs+=(-n runc "runc exec skiff-bench-exec true")
else
  echo "runc exec skipped: $(head -c 300 "$work/runc.err")" >&2
fi
hyperfine -N --warmup 3 --runs "$exec_runs" --export-json "$work/exec.json" "${execs[@]}" >&2
[ "$runc_ok" = 1 ] && runc delete -f skiff-bench-exec >/dev/null
"$skiff" rm -f "$sctr" >/dev/null
[ "$podman_ok" = 1 ] && "${podman[@]}" rm -f -t 0 "$pctr" >/dev/null
[ "$docker_ok" = 1 ] && dockerc rm -f "$dctr" >/dev/null

# --- 3. monitor memory --------------------------------------------------------------------
# pid of the process whose command name is $1 and whose argv contains the word $2
find_proc() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(cat "$p/comm" 2>/dev/null)" = "$1" ] || continue
    tr '\0' '\n' < "$p/cmdline" 2>/dev/null | grep -qx -- "$2" && { echo "${p#/proc/}"; return; }
  done
}
rollup() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/smaps_rollup"; }
mem="$work/mem.txt"; : > "$mem"
measure() { # engine, process name, ids...
  local engine="$1" comm="$2" id pid; shift 2
  for id in "$@"; do
    pid=""
    for _ in $(seq 50); do pid="$(find_proc "$comm" "$id")"; [ -n "$pid" ] && break; sleep 0.1; done
    if [ -z "$pid" ]; then echo "$engine: no $comm process for $id" >&2; continue; fi
    echo "$engine $comm $pid $(rollup "$pid" Rss) $(rollup "$pid" Pss)" >> "$mem"
  done
}
ids=()
for _ in $(seq "$monitors"); do ids+=("$("$skiff" run -d --network none busybox sleep 1000)"); done
sleep 1
# The monitor's argv holds the full id or its name; match on whichever `inspect` gives.
mids=()
for id in "${ids[@]}"; do
  full="$("$skiff" inspect "$id" | jq -r '.[0].Id')"
  if [ -n "$(find_proc skiff "$full")" ]; then mids+=("$full"); else mids+=("$id"); fi
done
measure skiff skiff "${mids[@]}"
"$skiff" rm -f "${ids[@]}" >/dev/null
if [ "$podman_ok" = 1 ]; then
  ids=()
  for _ in $(seq "$monitors"); do ids+=("$("${podman[@]}" run -d "${podman_run[@]}" localhost/busybox sleep 1000)"); done
  sleep 1
  measure podman conmon "${ids[@]}"
  "${podman[@]}" rm -f -t 0 "${ids[@]}" >/dev/null
fi
if [ "$docker_ok" = 1 ]; then
  ids=()
  for _ in $(seq "$monitors"); do ids+=("$(dockerc run -d --network none busybox sleep 1000)"); done
  sleep 1
  measure docker containerd-shim "${ids[@]}"
  dockerc rm -f "${ids[@]}" >/dev/null
fi

# --- 4. ps with many containers -------------------------------------------------------------
ids=()
for _ in $(seq "$ps_containers"); do ids+=("$("$skiff" run -d --network none busybox sleep 1000)"); done
lists=(-n skiff "$skiff ps")
if [ "$podman_ok" = 1 ]; then
  pids=()
  for _ in $(seq "$ps_containers"); do pids+=("$("${podman[@]}" run -d "${podman_run[@]}" localhost/busybox sleep 1000)"); done
  lists+=(-n podman "$(q "${podman[@]}")ps")
fi
hyperfine -N --warmup 3 --runs "$exec_runs" --export-json "$work/ps.json" "${lists[@]}" >&2
"$skiff" rm -f "${ids[@]}" >/dev/null
[ "$podman_ok" = 1 ] && "${podman[@]}" rm -f -t 0 "${pids[@]}" >/dev/null

# --- 5. run --rm on the default bridge -----------------------------------------------------
bridged=(-n skiff "$skiff run --rm busybox true")
if [ "$podman_ok" = 1 ]; then
  bridge_run=(--network bridge --ulimit nofile=20000:20000 --ulimit nproc=32768:32768)
  if "${podman[@]}" run --rm "${bridge_run[@]}" localhost/busybox true >/dev/null 2>"$work/podman.err"; then
    bridged+=(-n podman "$(q "${podman[@]}")run --rm $(q "${bridge_run[@]}")localhost/busybox true")
  else
    echo "podman bridge skipped: $(head -c 400 "$work/podman.err")" >&2
  fi
fi
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/bridge.json" "${bridged[@]}" >&2

# --- report -------------------------------------------------------------------------------
report() { # title, json, the peer each median is divided by
  echo "$1:"
  local base; base="$(jq -r --arg b "$3" '.results[] | select(.command==$b) | .median' "$2")"
  jq -r '.results[] | "\(.command) \(.median)"' "$2" | while read -r name median; do
    if [ -n "$base" ]; then
      printf '  %-7s %8.1f ms   %5.2fx %s\n' "$name" "$(echo "$median*1000" | bc -l)" "$(echo "$median/$base" | bc -l)" "$3"
    else
      printf '  %-7s %8.1f ms   (%s did not run)\n' "$name" "$(echo "$median*1000" | bc -l)" "$3"
    fi
  done
}
echo
echo "load while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
report "run -d + stop -t 0 + rm (median over $runs runs)" "$work/cycle.json" podman
report "exec CTR true (median over $exec_runs runs)" "$work/exec.json" runc
report "ps with $ps_containers running containers (median over $exec_runs runs)" "$work/ps.json" podman
report "run --rm busybox true on the default bridge (median over $runs runs)" "$work/bridge.json" podman
echo "monitor memory per container ($monitors containers each; kB, from smaps_rollup):"
printf '  %-7s %-24s %8s %8s %8s\n' engine process pid RSS PSS
while read -r engine comm pid rss pss; do
  printf '  %-7s %-24s %8s %8s %8s\n' "$engine" "$comm" "$pid" "$rss" "$pss"
done < "$mem"
awk '{ n[$1]++; r[$1]+=$4; p[$1]+=$5 } END { for (e in n) printf "  %-7s mean RSS %6.0f kB   mean PSS %6.0f kB   (%d monitors)\n", e, r[e]/n[e], p[e]/n[e], n[e] }' "$mem" | sort
