# Sourced by the bench scripts that measure against docker, after sandbox.sh (so inside the
# throwaway namespaces): starts Debian's dockerd with its own data-root, exec-root and unix socket
# under $work (a tmpfs), with every place it writes regardless of flags shadowed by a tmpfs in this
# mount namespace only. `dockerd_start` sets docker_ok=1 when it answers; `dockerd_stop` removes
# its containers, stops it and unmounts the shadows (call it from the script's EXIT trap).
# Needs: $work. Gives: dockerc (the docker CLI on that socket), docker_cli, dsock, docker_ok.
docker_cli=/usr/bin/docker   # Debian's docker.io client, not whatever else is first on PATH
dsock="$work/docker.sock"
docker_ok=0 dockerd_pid= shadowed=() created=()
dockerc() { "$docker_cli" -H "unix://$dsock" "$@"; }

# Places where dockerd, containerd and podman write whatever their flags say (key.json, plugin
# and shim sockets, CNI lock...): a tmpfs over each. Those missing on the host get an empty
# mount point for the duration, removed by dockerd_stop.
shadow_engine_dirs() {
  shadowed=(/etc/docker /etc/cni/net.d /run/docker /run/containerd /run/containers /run/libpod
            /var/lib/docker /var/lib/containerd /var/lib/containers /var/lib/cni)
  created=()
  local d top
  for d in "${shadowed[@]}"; do
    if [ ! -e "$d" ]; then
      top="$d"; while [ ! -e "$(dirname "$top")" ]; do top="$(dirname "$top")"; done
      created+=("$top"); mkdir -p "$d"
    fi
    mount -t tmpfs skiff-bench "$d"
  done
}

dockerd_start() {
  if ! command -v dockerd >/dev/null || [ ! -x "$docker_cli" ]; then
    echo "docker skipped: docker.io is not installed" >&2
    return
  fi
  echo '{}' > "$work/daemon.json"
  dockerd --config-file "$work/daemon.json" --iptables=false --ip6tables=false --bridge=none \
    --ip-forward=false --ip-masq=false --userland-proxy=false \
    --data-root "$work/docker" --exec-root "$work/dx" --pidfile "$work/dockerd.pid" \
    -H "unix://$dsock" --storage-driver overlay2 >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 300); do
    dockerc version >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.1
  done
  if dockerc version >/dev/null 2>&1; then
    docker_ok=1
  else
    echo "docker skipped: dockerd did not start: $(tail -c 600 "$work/dockerd.log")" >&2
  fi
}

dockerd_stop() {
  if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
    local ids; ids="$(dockerc ps -aq 2>/dev/null)"
    [ -n "$ids" ] && dockerc rm -f $ids >/dev/null 2>&1
    kill "$dockerd_pid"
    for _ in $(seq 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$dockerd_pid" 2>/dev/null
  fi
}

# After dockerd_stop and the unmounting of $work: the shadows and the mount points made for them.
unshadow_engine_dirs() {
  local d
  for d in "${shadowed[@]}"; do umount -l "$d" 2>/dev/null; done
  for d in "${created[@]}"; do [ -d "$d" ] && rm -r --one-file-system "$d"; done
}
