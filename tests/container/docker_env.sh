#!/usr/bin/env bash
# Runs a command against a private Docker daemon that lives only as long as
# the command:
#
#   tests/container/docker_env.sh COMMAND [ARGS...]
#
# There is no systemd and no registry on these machines, so the daemon is
# started by hand (data and exec roots in a temporary folder, no iptables, no
# bridge: containers use --network host), and the base images the Dockerfile
# names, debian:bookworm and debian:bookworm-slim, are imported from a
# `debootstrap --variant=minbase bookworm` root. That root is cached as a
# tarball (AGORA_TOKEN_CONTAINER_CACHE, default build/container-cache), so
# only the first run pays for debootstrap. COMMAND runs with DOCKER_HOST set;
# whatever happens to it, every container, the daemon and its folders are
# removed on exit, and the script exits with COMMAND's status.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
cache=${AGORA_TOKEN_CONTAINER_CACHE:-$repo/build/container-cache}
rootfs_tar=$cache/bookworm-minbase.tar
docker=/usr/bin/docker  # Debian's client, matching the daemon

if (($# == 0)); then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
for tool in /usr/sbin/dockerd "$docker" /usr/sbin/debootstrap; do
  [ -x "$tool" ] || { echo "docker_env: $tool missing: run scripts/install-deps.sh test" >&2; exit 1; }
done

work=$(mktemp -d /tmp/agora-token-docker.XXXXXX)
export DOCKER_HOST=unix://$work/docker.sock
dockerd_pid=
cleanup() {
  local status=$?
  set +e
  if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
    # Containers first, so none outlives the daemon (and no mount stays busy).
    local ids
    ids=$("$docker" ps -aq 2>/dev/null)
    [ -n "$ids" ] && "$docker" rm -f $ids >/dev/null 2>&1
    kill -TERM "$dockerd_pid"
    for _ in $(seq 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$dockerd_pid" 2>/dev/null
    wait "$dockerd_pid" 2>/dev/null
  fi
  # containerd-shims and the daemon leave mounts (netns, overlay) behind.
  grep -o " $work[^ ]*" /proc/self/mounts | sort -r | while read -r mount; do
    umount -l "$mount" 2>/dev/null
  done
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

/usr/sbin/dockerd --data-root "$work/data" --exec-root "$work/exec" --pidfile "$work/dockerd.pid" \
  -H "$DOCKER_HOST" --storage-driver=overlay2 --iptables=false --ip6tables=false --bridge=none \
  >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 300); do
  "$docker" version >/dev/null 2>&1 && break
  kill -0 "$dockerd_pid" 2>/dev/null || { cat "$work/dockerd.log" >&2; exit 1; }
  sleep 0.1
done
"$docker" version >/dev/null || { echo "docker_env: dockerd did not answer" >&2; cat "$work/dockerd.log" >&2; exit 1; }

if [ ! -s "$rootfs_tar" ]; then
  echo "docker_env: debootstrap --variant=minbase bookworm (cached in $rootfs_tar)" >&2
  mkdir -p "$cache"
  started=$SECONDS
  /usr/sbin/debootstrap --variant=minbase bookworm "$work/rootfs" >"$work/debootstrap.log" 2>&1 ||
    { tail -30 "$work/debootstrap.log" >&2; exit 1; }
  # What a fresh Debian 12 install reads: updates and security besides main.
  cat >"$work/rootfs/etc/apt/sources.list" <<'SOURCES'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar -C "$work/rootfs" -cf "$rootfs_tar.tmp" . && mv "$rootfs_tar.tmp" "$rootfs_tar"
  rm -rf "$work/rootfs"
  echo "docker_env: debootstrap took $((SECONDS - started)) s" >&2
fi
# One root for both names: no registry, and the Dockerfile wants both.
"$docker" import - debian:bookworm <"$rootfs_tar" >/dev/null
"$docker" tag debian:bookworm debian:bookworm-slim

"$@"
