#!/usr/bin/env bash
# The cost of Docker's default seccomp filter: container start with it against seccomp=unconfined
# (hyperfine, same run), and the time of one getpid inside (a static C loop of raw syscalls) with
# the default filter, with a filter that allows everything (the kernel's fixed cost of having any
# filter), and with none. Runs inside throwaway network and mount namespaces; leaves nothing behind.
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/sandbox.sh"
runs="${RUNS:-40}"
loops="${LOOPS:-5000000}"
work="$(mktemp -d /run/skiff-bench.XXXXXX)"
mount -t tmpfs skiff-bench "$work"
export SKIFF_ROOT="$work/skiff"
skiff="$here/out/skiff/skiff"
"$skiff" run --rm --network none busybox true   # creates the built-in image

hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/start.json" \
  -n default "$skiff run --rm --network none busybox true" \
  -n unconfined "$skiff run --rm --network none --security-opt seccomp=unconfined busybox true" >&2

mkdir "$work/probe"
cat > "$work/probe/loop.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]); struct timespec s, f;
  clock_gettime(CLOCK_MONOTONIC, &s);
  for (long k = 0; k < n; k++) syscall(SYS_getpid);
  clock_gettime(CLOCK_MONOTONIC, &f);
  printf("%.1f\n", ((f.tv_sec - s.tv_sec) * 1e9 + (f.tv_nsec - s.tv_nsec)) / n);
  return 0;
}
C
gcc -static -O2 -o "$work/probe/loop" "$work/probe/loop.c"
echo '{"defaultAction": "SCMP_ACT_ALLOW"}' > "$work/allow-all.json"
declare -A opts=([default]="" [allow-all]="--security-opt seccomp=$work/allow-all.json" [unconfined]="--security-opt seccomp=unconfined")
for round in 1 2 3 4 5; do   # interleaved, so that a busy moment of the machine hits all three alike
  for kind in default allow-all unconfined; do
    # shellcheck disable=SC2086
    "$skiff" run --rm --network none -v "$work/probe:/probe:ro" ${opts[$kind]} busybox /probe/loop "$loops" >> "$work/$kind.ns"
  done
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo
echo "container start (median over $runs runs):"
base="$(jq -r '.results[] | select(.command=="unconfined") | .median' "$work/start.json")"
jq -r '.results[] | "\(.command) \(.median)"' "$work/start.json" | while read -r name median; do
  printf '  %-10s %7.1f ms   %+.1f ms against unconfined\n' "$name" "$(echo "$median*1000" | bc -l)" "$(echo "($median-$base)*1000" | bc -l)"
done
echo "getpid inside the container (median of 5 runs of $loops calls):"
none="$(median "$work/unconfined.ns")"
for kind in default allow-all unconfined; do
  m="$(median "$work/$kind.ns")"
  printf '  %-10s %7.1f ns   %.2fx unconfined\n' "$kind" "$m" "$(echo "$m/$none" | bc -l)"
done
umount "$work"; rmdir "$work"
