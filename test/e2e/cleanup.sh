#!/usr/bin/env bash
# Stops what a test run started: the containers, volumes and networks of test beds (label
# org.homelab-wizard.sandbox.origin=test), the registry container when no bed is left, and the
# Docker engine when bootstrap.sh started it. Keeps the images and the registry's volume (the cache).
# Never fails: it runs at the end of CI, also after a failure.
set -uo pipefail
STATE_DIR="${HLW_STATE_DIR:-/var/tmp/homelab-wizard-testbed}"
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || exit 0
if timeout 10 "$DOCKER" info >/dev/null 2>&1; then
  origin=org.homelab-wizard.sandbox.origin=test
  ids="$("$DOCKER" ps -aq --filter "label=$origin")"
  [ -n "$ids" ] && "$DOCKER" rm -f -v $ids >/dev/null
  vols="$("$DOCKER" volume ls -q --filter "label=$origin")"
  [ -n "$vols" ] && "$DOCKER" volume rm -f $vols >/dev/null
  for net in $("$DOCKER" network ls -q --filter "label=$origin"); do
    "$DOCKER" network disconnect -f "$net" hlw-sandbox-registry >/dev/null 2>&1
    "$DOCKER" network rm "$net" >/dev/null
  done
  if [ -z "$("$DOCKER" network ls -q --filter label=org.homelab-wizard.sandbox.bed)" ]; then
    "$DOCKER" rm -f hlw-sandbox-registry >/dev/null 2>&1
  fi
fi
if [ -f "$STATE_DIR/dockerd.pid" ]; then
  pid="$(cat "$STATE_DIR/dockerd.pid")"
  if kill -0 "$pid" 2>/dev/null && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = dockerd ]; then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$STATE_DIR/dockerd.pid"
fi
exit 0
