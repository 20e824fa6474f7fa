#!/usr/bin/env bash
# Times `skiff network trace` on hosts with 1,000 and 10,000 rules (issue 6: it should stay well
# under a second). Everything happens in a throwaway network namespace: the rules are generated
# Docker-like (a published-port DNAT and a filter accept per "container", spread over user chains)
# and the traced packet is one that matches none of them, so every rule is evaluated.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
[ "$(id -u)" -eq 0 ] || { echo "bench/trace.sh: run as root (it creates a network namespace)" >&2; exit 1; }
"$here/skiff" version >/dev/null
runs="${RUNS:-5}"

generate() {
  local rules="$1" per_chain=100
  local chains=$(( rules / per_chain / 2 ))
  echo "*nat"; echo ":PREROUTING ACCEPT [0:0]"; echo ":INPUT ACCEPT [0:0]"; echo ":OUTPUT ACCEPT [0:0]"; echo ":POSTROUTING ACCEPT [0:0]"
  for c in $(seq 1 "$chains"); do echo ":N$c - [0:0]"; done
  for c in $(seq 1 "$chains"); do
    echo "-A PREROUTING -m addrtype --dst-type LOCAL -j N$c"
    for r in $(seq 1 $(( per_chain - 1 ))); do
      echo "-A N$c ! -i br0 -p tcp -m tcp --dport $(( 10000 + c * per_chain + r )) -j DNAT --to-destination 172.31.$(( c % 250 )).$(( r % 250 + 2 )):80"
    done
  done
  echo "COMMIT"
  echo "*filter"; echo ":INPUT ACCEPT [0:0]"; echo ":FORWARD DROP [0:0]"; echo ":OUTPUT ACCEPT [0:0]"
  for c in $(seq 1 "$chains"); do echo ":F$c - [0:0]"; done
  for c in $(seq 1 "$chains"); do
    echo "-A FORWARD -o br0 -j F$c"
    for r in $(seq 1 $(( per_chain - 1 ))); do
      echo "-A F$c -d 172.31.$(( c % 250 )).$(( r % 250 + 2 ))/32 ! -i br0 -o br0 -p tcp -m tcp --dport 80 -m comment --comment \"c$c-$r\" -j ACCEPT"
    done
  done
  echo "COMMIT"
}

for rules in 1000 10000; do
  file="$(mktemp)"
  generate "$rules" > "$file"
  unshare --net -- bash -c '
    set -e
    ip link set lo up
    ip link add br0 type bridge && ip addr add 172.31.0.1/16 dev br0 && ip link set br0 up
    ip link add eth9 type veth peer name eth9p && ip addr add 192.0.2.1/24 dev eth9 && ip link set eth9 up && ip link set eth9p up
    iptables-restore < "$1"
    loaded=$(iptables-save | grep -c "^-A")
    best=""; total=0
    for i in $(seq 1 "$3"); do
      start=$(date +%s%N)
      "$2" network trace --from 192.0.2.9 --to 172.31.9.9 --proto tcp --dport 81 >/dev/null
      ms=$(( ($(date +%s%N) - start) / 1000000 ))
      total=$(( total + ms ))
      if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    start=$(date +%s%N); iptables-save >/dev/null; save=$(( ($(date +%s%N) - start) / 1000000 ))
    printf "%6d rules: skiff network trace best %d ms, mean %d ms over %d runs (of which iptables-save alone: %d ms)\n" \
      "$loaded" "$best" $(( total / $3 )) "$3" "$save"
  ' bash "$file" "$here/out/skiff/skiff" "$runs"
  rm -f "$file"
done
