#!/usr/bin/env bash
# skiff build against docker build (BuildKit, Debian's docker.io), same run, same Dockerfile and
# context, same busybox base image (skiff's built-in one, given to docker with `docker load`):
#   1. cold: every step built (build cache pruned and the image removed before each run),
#   2. cached: a rebuild where every step is in the cache.
# The Dockerfile has a COPY of a 300-file context (about 3 MB), four RUN steps writing files with
# busybox tools, and config instructions. RUN steps get no network in both engines (--network none).
# Everything runs inside throwaway network and mount namespaces with each engine's state on a tmpfs
# (see dockerd.sh); nothing is left behind. Prints medians and the ratios to docker.
#
# Usage: bench/build.sh   (root; COLD_RUNS=5 CACHED_RUNS=10 by default)
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/sandbox.sh"

cold_runs="${COLD_RUNS:-5}"
cached_runs="${CACHED_RUNS:-10}"
skiff="$here/out/skiff/skiff"
work="$(mktemp -d /run/skiff-build-bench.XXXXXX)"
mount -t tmpfs skiff-build-bench "$work"
export SKIFF_ROOT="$work/skiff"
source "$here/bench/dockerd.sh"

list_cgroups() { find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort; }
cgroups_before="$(list_cgroups)"
cleanup() {
  set +eu
  "$skiff" rm -f $("$skiff" ps -aq 2>/dev/null) >/dev/null 2>&1
  dockerd_stop
  sleep 0.2
  awk -v w="$work" '$5 == w || index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null; done
  rmdir "$work" 2>/dev/null
  unshadow_engine_dirs
  list_cgroups | comm -13 <(echo "$cgroups_before") - | sort -r | while read -r c; do rmdir "$c" 2>/dev/null; done
}
trap cleanup EXIT
shadow_engine_dirs

# --- the build ----------------------------------------------------------------------------
ctx="$work/context"
mkdir -p "$ctx/src"
for i in $(seq 300); do head -c 10000 /dev/urandom | base64 > "$ctx/src/file$i.txt"; done
printf '*.tmp\n' > "$ctx/.dockerignore"
cat > "$ctx/Dockerfile" <<'DOCKERFILE'
FROM busybox:latest
ENV APP=/app
WORKDIR /app
COPY src/ ./src/
RUN find src -type f | sort | xargs cat | md5sum > checksum
RUN mkdir -p out && for i in 1 2 3 4 5 6 7 8; do cat src/file$i.txt > out/part$i; done
RUN wc -c src/* | tail -n1 > total && ls out > listing
RUN echo "app:x:1000:1000::/app:/bin/sh" >> /etc/passwd && chown -R app /app/out
USER app
CMD ["cat", "/app/checksum"]
DOCKERFILE

"$skiff" run --rm --network none busybox true   # makes the built-in image
"$skiff" save -o "$work/busybox.tar" busybox:latest
dockerd_start
if [ "$docker_ok" = 1 ] && ! dockerc load -i "$work/busybox.tar" >/dev/null 2>"$work/docker.err"; then
  echo "docker skipped: load failed: $(head -c 400 "$work/docker.err")" >&2
  docker_ok=0
fi
export DOCKER_BUILDKIT=1
q() { printf '%q ' "$@"; }
cat > "$work/build-skiff" <<SCRIPT
#!/bin/sh -e
exec $(q "$skiff") build -q --network none -t bench:skiff $(q "$ctx") >/dev/null
SCRIPT
cat > "$work/prune-skiff" <<SCRIPT
#!/bin/sh
$(q "$skiff") rmi bench:skiff >/dev/null 2>&1
$(q "$skiff") builder prune -f >/dev/null
SCRIPT
cat > "$work/build-docker" <<SCRIPT
#!/bin/sh -e
DOCKER_BUILDKIT=1 exec $(q "$docker_cli") -H unix://$dsock build -q --network none -t bench:docker $(q "$ctx") >/dev/null
SCRIPT
cat > "$work/prune-docker" <<SCRIPT
#!/bin/sh
$(q "$docker_cli") -H unix://$dsock rmi bench:docker >/dev/null 2>&1
$(q "$docker_cli") -H unix://$dsock builder prune -af >/dev/null
SCRIPT
chmod +x "$work"/build-* "$work"/prune-*
# Each engine's build must work, and give the same result, before it is timed.
"$work/build-skiff"
skiff_sum="$("$skiff" run --rm --network none bench:skiff)"
if [ "$docker_ok" = 1 ]; then
  if "$work/build-docker" 2>"$work/docker.err"; then
    docker_sum="$(dockerc run --rm --network none bench:docker)"
    [ "$skiff_sum" = "$docker_sum" ] || echo "warning: the two images differ: skiff $skiff_sum, docker $docker_sum" >&2
  else
    echo "docker skipped: build failed: $(tail -c 600 "$work/docker.err")" >&2
    docker_ok=0
  fi
fi

cold=(-n skiff --prepare "$work/prune-skiff" "$work/build-skiff")
cached=(-n skiff "$work/build-skiff")
if [ "$docker_ok" = 1 ]; then
  cold+=(-n docker --prepare "$work/prune-docker" "$work/build-docker")
  cached+=(-n docker "$work/build-docker")
fi
hyperfine -N --runs "$cold_runs" --export-json "$work/cold.json" "${cold[@]}" >&2
"$work/build-skiff"; [ "$docker_ok" = 1 ] && "$work/build-docker"
hyperfine -N --warmup 1 --runs "$cached_runs" --export-json "$work/cached.json" "${cached[@]}" >&2

# --- report -------------------------------------------------------------------------------
report() { # title, json
  echo "$1:"
  local base; base="$(jq -r '.results[] | select(.command=="docker") | .median' "$2")"
  jq -r '.results[] | "\(.command) \(.median)"' "$2" | while read -r name median; do
    if [ -n "$base" ]; then
      printf '  %-7s %8.1f ms   %5.2fx docker\n' "$name" "$(echo "$median*1000" | bc -l)" "$(echo "$median/$base" | bc -l)"
    else
      printf '  %-7s %8.1f ms\n' "$name" "$(echo "$median*1000" | bc -l)"
    fi
  done
}
echo
report "cold build, every step built (median over $cold_runs runs; goal: skiff <= 1.0x docker)" "$work/cold.json"
report "rebuild, every step cached (median over $cached_runs runs; goal: skiff <= 0.5x docker)" "$work/cached.json"
