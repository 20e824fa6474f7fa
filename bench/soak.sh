#!/usr/bin/env bash
# Soak test of issue 17's goals, bounded in time, inside throwaway network and mount namespaces:
#   1. RUN_RM `run --rm` and DETACHED `run -d -p`/`rm -f` cycles, PARALLEL at a time:
#      failures, then leaks of every kind (mounts, cgroups, links, rules, conntrack entries,
#      container directories, monitors, address records) against the state before.
#   2. KILLS SIGKILLs at a random moment of a random command (run -d, commit, rm -f,
#      network create, pull from Debian's docker-registry in the sandbox): inconsistent states
#      afterwards (a listed container or network the next command cannot finish or remove, an
#      image that inspects but does not run, a pull that cannot be retried, a leak).
#   3. The state database deleted under REPAIR running containers, each on a network with a
#      published port; `skiff system repair`: how many come back running with the same address and port.
# Each part stops early when its share of SOAK_SECONDS runs out and prints how far it got.
#
# Usage: bench/soak.sh   (root; RUN_RM=1000 DETACHED=500 PARALLEL=4 KILLS=100 REPAIR=20 SOAK_SECONDS=2400)
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/sandbox.sh"

run_rm="${RUN_RM:-1000}" detached="${DETACHED:-500}" parallel="${PARALLEL:-4}"
kills="${KILLS:-100}" repair_count="${REPAIR:-20}" budget="${SOAK_SECONDS:-2400}"
skiff="$here/out/skiff/skiff"
work="$(mktemp -d /run/skiff-soak.XXXXXX)"
mount -t tmpfs skiff-soak "$work"
export SKIFF_ROOT="$work/skiff"
# A cgroup parent of the soak's own: the host's cgroup tree is shared with whatever else runs containers.
cg="skiff-soak-$$"
start=$(date +%s)
deadline() { echo $((start + budget * $1 / 100)); }   # a part may use up to N% of the budget, counted from the start

cleanup() {
  set +eu
  ids="$("$skiff" ps -aq 2>/dev/null)"; [ -n "$ids" ] && "$skiff" rm -f $ids >/dev/null 2>&1
  for n in $("$skiff" network ls -q 2>/dev/null); do [ "$n" = bridge ] || "$skiff" network rm "$n" >/dev/null 2>&1; done
  [ -n "${registry_pid:-}" ] && kill "$registry_pid" 2>/dev/null
  umount -l "$work" 2>/dev/null; rmdir "$work" 2>/dev/null
}
trap cleanup EXIT

# Everything a container can leave behind, one line each, to compare before and after. Only the
# soak's own: the cgroup tree and the process table are shared with whatever else runs on the host.
snapshot() {
  echo "mounts $(grep -v skiff-soak /proc/self/mountinfo | wc -l)"
  echo "cgroups $(find /sys/fs/cgroup -mindepth 3 -type d -path "*/$cg/*" 2>/dev/null | xargs -rn1 basename | sort -u | tr '\n' ' ')"
  echo "links $(ip -o link 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')"
  echo "rules $(iptables-save 2>/dev/null | grep -c '^-A' || true)"
  # IPv4 only: new interfaces' own IPv6 chatter (router solicitations, MLD) is tracked for a while too;
  # IGMP reports of new bridges to 224.0.0.22 are the kernel's own, not a container's; loopback is
  # the soak's own registry, pushed to and pulled from.
  echo "conntrack $(conntrack -L -f ipv4 2>/dev/null | grep -v -e 'dst=224\.' -e 'src=127\.0\.0\.1 dst=127\.0\.0\.1' | awk '{print $1, $4, $5, $6, $7}' | sort | tr '\n' ';')"
  echo "directories $(ls "$SKIFF_ROOT/containers" 2>/dev/null | wc -l)"
  echo "monitors $(ps -eo args | awk -v bin="$skiff" '$1 == bin && $2 == "monitor" {print $3}' | sort | tr '\n' ' ')"
  echo "addresses $(sqlite3 "$SKIFF_ROOT/skiff.db" 'select count(*) from ip_allocations' 2>/dev/null || echo '?')"
  # Blobs and snapshots, complete or temp: what a killed pull or commit stored must be adopted or collected.
  echo "image files $(find "$SKIFF_ROOT/images/blobs" "$SKIFF_ROOT/images/snapshots" -mindepth 1 -maxdepth 2 2>/dev/null | wc -l)"
}
status() { "$skiff" inspect "$1" 2>/dev/null | jq -r '.[0].State.Status'; }
address_of() { "$skiff" inspect "$1" 2>/dev/null | jq -r '.[0].NetworkSettings.Networks.soak.IPAddress'; }
leaks() { diff <(echo "$1") <(snapshot) | grep '^>' | sed 's/^> /  after: /' || true; }

"$skiff" run --rm --cgroup-parent "$cg" busybox true >/dev/null   # the built-in image and the default network, made once
"$skiff" network create --subnet 10.211.0.0/16 soak >/dev/null
web=(--cgroup-parent "$cg" busybox sh -c 'mkdir /w && echo soak > /w/index.html && exec httpd -f -p 80 -h /w')
baseline="$(snapshot)"

echo "== 1. $run_rm run --rm + $detached run -d -p/rm -f, $parallel in parallel"
failures="$work/failures"; : > "$failures"
until1=$(deadline 55)
one_rm() { [ "$(date +%s)" -lt "$until1" ] || return 0; "$skiff" run --rm --cgroup-parent "$cg" busybox true >/dev/null 2>>"$failures" || echo "run --rm failed" >> "$failures"; echo . >> "$work/done-rm"; }
one_detached() {
  [ "$(date +%s)" -lt "$until1" ] || return 0
  local id
  if id="$("$skiff" run -d --network soak -p "$((20000 + $1 % 20000))":80 "${web[@]}" 2>>"$failures")"; then
    "$skiff" rm -f "$id" >/dev/null 2>>"$failures" || echo "rm -f failed" >> "$failures"
  else echo "run -d -p failed" >> "$failures"; fi
  echo . >> "$work/done-detached"
}
export -f one_rm one_detached; export skiff failures until1 work cg
t0=$(date +%s.%N)
seq "$run_rm" | xargs -P "$parallel" -I{} bash -c one_rm
t1=$(date +%s.%N)
# `web` as an array does not cross `bash -c`: rebuilt there.
seq "$detached" | xargs -P "$parallel" -I{} bash -c 'web=(--cgroup-parent "$cg" busybox sh -c "mkdir /w && echo soak > /w/index.html && exec httpd -f -p 80 -h /w"); one_detached {}'
t2=$(date +%s.%N)
done_rm=$(wc -l 2>/dev/null < "$work/done-rm" || echo 0); done_detached=$(wc -l 2>/dev/null < "$work/done-detached" || echo 0)
echo "run --rm: $done_rm of $run_rm in $(printf '%.0f' "$(echo "$t1 - $t0" | bc)") s; run -d -p/rm -f: $done_detached of $detached in $(printf '%.0f' "$(echo "$t2 - $t1" | bc)") s"
echo "failures: $(grep -c . "$failures" || true)"; sort "$failures" | uniq -c | sort -rn | head -5
echo "leaks:"; leaks "$baseline"

echo "== 2. $kills SIGKILLs at random moments of run -d, commit, rm -f, network create, pull"
until2=$(deadline 85)
source_id="$("$skiff" run -d --name soak-source --cgroup-parent "$cg" busybox sh -c 'echo kept > /kept; exec sleep 100000')"
# An image to pull: busybox, /kept and 8 MB of random data (a pull long enough to be cut), in a local registry.
mkdir -p "$work/registry" "$work/pulled"
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:5099\n' "$work/registry" > "$work/registry.yml"
docker-registry serve "$work/registry.yml" >/dev/null 2>&1 & registry_pid=$!
registry=127.0.0.1:5099 pulled=127.0.0.1:5099/soak/pulled:latest
head -c 8M /dev/urandom > "$work/pulled/big"; echo kept > "$work/pulled/kept"
printf 'FROM busybox\nCOPY kept big /\n' > "$work/pulled/Dockerfile"
"$skiff" build -q -t "$pulled" "$work/pulled" >/dev/null
until "$skiff" push -q --insecure-registry "$registry" "$pulled" >/dev/null 2>&1; do sleep 0.2; done
"$skiff" rmi "$pulled" >/dev/null; "$skiff" builder prune -f >/dev/null
baseline2="$(snapshot)"
inconsistent=0 done_kills=0
declare -A killed_ops=()
for i in $(seq "$kills"); do
  [ "$(date +%s)" -lt "$until2" ] || break
  delay="0.$(printf '%03d' $((RANDOM % 200 + 1)))"   # never 0: `timeout 0` means no limit
  rc=0
  case $((RANDOM % 5)) in
    0) op=run; timeout -s KILL "$delay" "$skiff" run -d --name "k$i" --network soak -p "$((40000 + i))":80 "${web[@]}" >/dev/null 2>&1 || rc=$? ;;
    1) op=commit; timeout -s KILL "$delay" "$skiff" commit soak-source "soak-image:$i" >/dev/null 2>&1 || rc=$? ;;
    2) op=rm; "$skiff" run -d --name "k$i" --network soak -p "$((40000 + i))":80 "${web[@]}" >/dev/null 2>&1
       timeout -s KILL "$delay" "$skiff" rm -f "k$i" >/dev/null 2>&1 || rc=$? ;;
    3) op=network; timeout -s KILL "$delay" "$skiff" network create --subnet "10.$((100 + i)).0.0/24" "kn$i" >/dev/null 2>&1 || rc=$? ;;
    4) op=pull; timeout -s KILL "$delay" "$skiff" pull -q --insecure-registry "$registry" "$pulled" >/dev/null 2>&1 || rc=$? ;;
  esac
  # 137: killed before it finished; anything else: it finished first (its own result).
  [ "$rc" -eq 137 ] && killed_ops[$op]=$(( ${killed_ops[$op]:-0} + 1 ))
  done_kills=$i
  # The next command must be able to finish or undo whatever was cut short.
  "$skiff" ps -a >/dev/null 2>&1 || { echo "  kill $i ($op): ps fails"; inconsistent=$((inconsistent + 1)); }
  if "$skiff" inspect "k$i" >/dev/null 2>&1; then
    "$skiff" rm -f "k$i" >/dev/null 2>&1 || { echo "  kill $i ($op): rm -f k$i fails"; inconsistent=$((inconsistent + 1)); }
  fi
  if "$skiff" image inspect "soak-image:$i" >/dev/null 2>&1; then
    [ "$("$skiff" run --rm --network none --cgroup-parent "$cg" "soak-image:$i" cat /kept 2>/dev/null)" = kept ] || { echo "  kill $i ($op): image soak-image:$i is incomplete"; inconsistent=$((inconsistent + 1)); }
    "$skiff" rmi "soak-image:$i" >/dev/null 2>&1 || { echo "  kill $i ($op): rmi fails"; inconsistent=$((inconsistent + 1)); }
  fi
  if "$skiff" network inspect "kn$i" >/dev/null 2>&1; then
    "$skiff" run --rm --network "kn$i" --cgroup-parent "$cg" busybox true >/dev/null 2>&1 || { echo "  kill $i ($op): network kn$i is unusable"; inconsistent=$((inconsistent + 1)); }
    "$skiff" network rm "kn$i" >/dev/null 2>&1 || { echo "  kill $i ($op): network rm kn$i fails"; inconsistent=$((inconsistent + 1)); }
  fi
  if [ "$op" = pull ]; then
    "$skiff" pull -q --insecure-registry "$registry" "$pulled" >/dev/null 2>&1 || { echo "  kill $i (pull): the retried pull fails"; inconsistent=$((inconsistent + 1)); }
    [ "$("$skiff" run --rm --network none --cgroup-parent "$cg" "$pulled" cat /kept 2>/dev/null)" = kept ] || { echo "  kill $i (pull): the pulled image does not run"; inconsistent=$((inconsistent + 1)); }
    "$skiff" rmi "$pulled" >/dev/null 2>&1 || { echo "  kill $i (pull): rmi fails"; inconsistent=$((inconsistent + 1)); }
  fi
  [ "$(status soak-source)" = paused ] && "$skiff" unpause soak-source >/dev/null 2>&1
  [ "$(status soak-source)" = running ] || { echo "  kill $i ($op): the commit source is not running"; inconsistent=$((inconsistent + 1)); }
done
# A commit killed after its layer was stored leaves a blob no name reaches: the next collection
# (rmi, image prune, system repair) removes it, and one must leave nothing else.
"$skiff" image prune -f >/dev/null
left="$(leaks "$baseline2")"
for id in $(echo "$left" | sed -n 's/^  after: cgroups //p'); do
  echo "  cgroup $id: $("$skiff" inspect "$id" 2>&1 | jq -r '.[0] | "\(.Name) \(.State.Status)"' 2>/dev/null || echo 'no record'); pids: $(cat /sys/fs/cgroup/pids/$cg/$id/cgroup.procs 2>/dev/null | tr '\n' ' ')"
done
[ -n "$left" ] && inconsistent=$((inconsistent + 1))
echo "commands: $done_kills of $kills; killed before they finished: $(for k in "${!killed_ops[@]}"; do printf '%s %s, ' "$k" "${killed_ops[$k]}"; done | sed 's/, $//'); inconsistent states: $inconsistent"
[ -n "$left" ] && echo "leaks:" && echo "$left"
"$skiff" rm -f soak-source >/dev/null

echo "== 3. the database deleted under $repair_count running containers, then system repair"
baseline3="$(snapshot)"
declare -A address=()
for i in $(seq "$repair_count"); do
  id="$("$skiff" run -d --name "r$i" --network soak -p "$((30000 + i))":80 "${web[@]}")"
  address[r$i]="$(address_of "r$i")"
done
rm -f "$SKIFF_ROOT"/skiff.db "$SKIFF_ROOT"/skiff.db-wal "$SKIFF_ROOT"/skiff.db-shm
refused="$("$skiff" ps 2>&1 || true)"
echo "ps after the deletion: $refused"
t0=$(date +%s.%N)
"$skiff" system repair | tail -1
t1=$(date +%s.%N)
back=0
for i in $(seq "$repair_count"); do
  state="$(status "r$i") $(address_of "r$i")"
  port="$("$skiff" port "r$i" 80 2>/dev/null || true)"
  [ "$state" = "running ${address[r$i]}" ] && [ "$port" = "0.0.0.0:$((30000 + i))" ] && back=$((back + 1))
done
echo "back: $back of $repair_count (running, same address, same port); repair took $(printf '%.2f' "$(echo "$t1 - $t0" | bc)") s"
[ "$repair_count" -gt 0 ] && "$skiff" rm -f $(seq -f 'r%g' "$repair_count") >/dev/null
echo "leaks after removing them:"; leaks "$baseline3"
echo "total time: $(( $(date +%s) - start )) s"
