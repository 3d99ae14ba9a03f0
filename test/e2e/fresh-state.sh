#!/usr/bin/env bash
# Returns this machine to the fresh state the README assumes, so that `.ci/run` can be proven cold:
# what test/e2e/bootstrap.sh installed is removed (its Debian packages, the Compose plugin, the
# Docker engine and all of Docker's data), along with the test bed's cache. Destructive: it
# refuses to run without --confirm-fresh-state, and then says what it removes as it goes.
#
#   bash test/e2e/fresh-state.sh                         says what it would remove, changes nothing
#   bash test/e2e/fresh-state.sh --confirm-fresh-state   removes it
set -eEuo pipefail
trap 'printf "fresh-state: error: \`%s\` failed with exit code %s (line %s)\n" "$BASH_COMMAND" "$?" "$LINENO" >&2' ERR

STATE_DIR="${HLW_STATE_DIR:-/var/tmp/homelab-wizard-testbed}"
CACHE_DIR="${HLW_SANDBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/homelab-wizard/sandbox}"
COMPOSE_PLUGIN=/usr/libexec/docker/cli-plugins/docker-compose
DOCKER_DATA=/var/lib/docker
# What bootstrap.sh and the integration tests (test/helpers/system-packages.ts) install on this
# machine kind when nothing is there (Debian 12 with Node), with what bootstrap recorded it added.
KNOWN_PACKAGES="docker.io age debootstrap openssh-server shellcheck"
say() { printf 'fresh-state: %s\n' "$*" >&2; }

packages() {
  local pkg
  # shellcheck disable=SC2086
  for pkg in $( { echo $KNOWN_PACKAGES | tr ' ' '\n'; cat "$STATE_DIR/installed-packages" 2>/dev/null || true; } | sort -u); do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' && echo "$pkg"
  done
  return 0
}

if [ "${1:-}" != --confirm-fresh-state ]; then
  cat >&2 <<EOF
fresh-state: WARNING: this returns the machine to the state before test/e2e/bootstrap.sh ran.
  It removes, for every user of this machine:
  - the Debian packages: $(packages | tr '\n' ' ')(and what only they needed)
  - the Docker engine's processes and ALL of its data in $DOCKER_DATA: every container, image and
    volume, not only the test bed's
  - the Compose plugin $COMPOSE_PLUGIN
  - the test bed's state $STATE_DIR and image cache $CACHE_DIR
  Nothing was changed. To do it: bash $0 --confirm-fresh-state
EOF
  exit 1
fi
[ "$(id -u)" = 0 ] || { say "error: run it as root (it removes Debian packages)"; exit 1; }

started=$(date +%s)
pkgs="$(packages | tr '\n' ' ')"
# Stop the engine first: a running dockerd keeps its data busy and its containers' shims alive.
STATE_DIR="$STATE_DIR" bash "$(dirname "$0")/cleanup.sh"
if pgrep -x dockerd >/dev/null; then
  say "stopping dockerd"
  pkill -TERM -x dockerd || true
  for _ in $(seq 1 60); do pgrep -x dockerd >/dev/null || break; sleep 0.5; done
  pkill -KILL -x dockerd || true
fi
pkill -TERM -x containerd 2>/dev/null || true
if [ -n "${pkgs// /}" ]; then
  say "removing $pkgs"
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $pkgs >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get autoremove --purge -y -q >/dev/null
fi
for path in "$COMPOSE_PLUGIN" "$DOCKER_DATA" /var/lib/containerd /run/docker /run/containerd "$STATE_DIR" "$CACHE_DIR"; do
  if [ -e "$path" ]; then
    say "removing $path"
    # Mounts the engine left behind (overlay, netns) must go before their folders can.
    { grep -F " $path/" /proc/mounts || true; } | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    # A folder that is itself a mount (a disk for Docker's data on some machines) cannot be removed:
    # what it holds can, which is the state a fresh machine has.
    if mountpoint -q "$path"; then find "$path" -mindepth 1 -maxdepth 1 -exec rm -rf {} +; else rm -rf "$path"; fi
  fi
done
ip link delete docker0 2>/dev/null || true
[ -d /usr/libexec/docker/cli-plugins ] && rmdir --ignore-fail-on-non-empty -p /usr/libexec/docker/cli-plugins 2>/dev/null || true
say "done in $(( $(date +%s) - started )) s: no dockerd, no Compose plugin, no $pkgs"
