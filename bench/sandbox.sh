# Sourced by the bench scripts: run as root, with their tools installed and skiff built, then go
# on inside throwaway network and mount namespaces (the script runs again in there), so that no
# bench touches the machine's own network or mounts.
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
[ "$(id -u)" -eq 0 ] || { echo "$0: run as root" >&2; exit 1; }
if [ -z "${SKIFF_BENCH_INNER:-}" ]; then
  "$here/scripts/install-deps" bench
  "$here/skiff" version >/dev/null
  exec unshare --net --mount --propagation private env SKIFF_BENCH_INNER=1 "$0" "$@"
fi
ip link set lo up
