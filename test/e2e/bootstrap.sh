#!/usr/bin/env bash
# Prepares this machine for the end-to-end suite: system packages, a running Docker engine, then the
# test bed itself (images, local registry). Idempotent and quiet: it prints only what it does.
#
#   bash test/e2e/bootstrap.sh            everything
#   bash test/e2e/bootstrap.sh --system   packages and the Docker engine only
#
# As root on Debian or Ubuntu it installs what is missing; anywhere else it stops and names each
# missing thing and how to get it. A Docker engine it starts itself is recorded in
# $HLW_STATE_DIR/dockerd.pid so that test/e2e/cleanup.sh stops it again (and only it).
set -eEuo pipefail
# Never end without saying why: a failing command under `set -e` would otherwise exit silently.
trap 'printf "bootstrap: error: \`%s\` failed with exit code %s (line %s of %s)\n" "$BASH_COMMAND" "$?" "$LINENO" "$0" >&2' ERR

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
STATE_DIR="${HLW_STATE_DIR:-/var/tmp/homelab-wizard-testbed}"
DOCKER=/usr/bin/docker
say() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

# command → Debian package
declare -A NEEDS=(
  [/usr/bin/docker]=docker.io [/usr/sbin/dockerd]=docker.io
  [/usr/sbin/sshd]=openssh-server [/usr/bin/ssh]=openssh-client [/usr/bin/ssh-keygen]=openssh-client
  [/usr/bin/age]=age [/usr/bin/tmux]=tmux [/usr/sbin/debootstrap]=debootstrap
  [/usr/bin/zstd]=zstd [/usr/bin/curl]=curl
  # The lint of the remote scripts (test/e2e/shell-lint.test.ts); dash is Debian's /bin/sh.
  [/usr/bin/shellcheck]=shellcheck
  # The ACME test bed (test/e2e/helpers/acme-bed.ts): Let's Encrypt's test CA, and the ACME client proving it.
  [/usr/bin/pebble]=pebble [/usr/bin/lego]=lego
  # The S3 test bed (test/e2e/helpers/s3-bed.ts) runs moto_server from Debian 13's python3-moto
  # (Debian 12 has none) on this Python: these are its dependencies, from this release.
  [/usr/lib/python3/dist-packages/boto3/__init__.py]=python3-boto3 [/usr/lib/python3/dist-packages/botocore/__init__.py]=python3-botocore
  [/usr/lib/python3/dist-packages/flask/__init__.py]=python3-flask [/usr/lib/python3/dist-packages/flask_cors/__init__.py]=python3-flask-cors
  [/usr/lib/python3/dist-packages/werkzeug/__init__.py]=python3-werkzeug [/usr/lib/python3/dist-packages/jinja2/__init__.py]=python3-jinja2
  [/usr/lib/python3/dist-packages/responses/__init__.py]=python3-responses [/usr/lib/python3/dist-packages/xmltodict.py]=python3-xmltodict
  [/usr/lib/python3/dist-packages/dateutil/__init__.py]=python3-dateutil [/usr/lib/python3/dist-packages/requests/__init__.py]=python3-requests
  [/usr/lib/python3/dist-packages/cryptography/__init__.py]=python3-cryptography [/usr/lib/python3/dist-packages/antlr4/__init__.py]=python3-antlr4
  [/usr/lib/python3/dist-packages/yaml/__init__.py]=python3-yaml
)
COMPOSE_PLUGIN=/usr/libexec/docker/cli-plugins/docker-compose
# python3-moto's files (dpkg -x of Debian 13's package); test/e2e/helpers/s3-bed.ts runs it from here.
MOTO_DIR="$STATE_DIR/moto"

missing_packages() {
  local cmd
  for cmd in "${!NEEDS[@]}"; do [ -e "$cmd" ] || echo "${NEEDS[$cmd]}"; done | sort -u
}

is_debian_like() { [ -r /etc/os-release ] && grep -Eq '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release; }

install_packages() {
  local pkgs
  pkgs="$(missing_packages | tr '\n' ' ')"
  [ -n "${pkgs// /}" ] || return 0
  say "installing $pkgs"
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  if ! apt-get install -y -q --no-install-recommends $pkgs >"$STATE_DIR/apt.log" 2>&1; then
    apt-get update -q >>"$STATE_DIR/apt.log" 2>&1
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $pkgs >>"$STATE_DIR/apt.log" 2>&1 || die "apt-get install $pkgs failed; see $STATE_DIR/apt.log"
  fi
  # What this script added to the machine, so that fresh-state.sh removes exactly that.
  printf '%s\n' $pkgs >>"$STATE_DIR/installed-packages"
}

# The mirror this machine's apt uses (deb822 or one-line sources), for trixie and for debootstrap.
debian_mirror() {
  if [ -n "${HLW_SANDBOX_MIRROR:-}" ]; then echo "$HLW_SANDBOX_MIRROR"; return; fi
  local url
  url="$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
    | grep -oE 'https?://[^ ]+/debian/?' | grep -v security | head -n1 || true)"
  echo "${url:-http://deb.debian.org/debian}" | sed 's:/*$::'
}

# Downloads one package of Debian 13 (trixie) into $STATE_DIR/trixie-apt/deb with an apt state of
# its own, without adding trixie to this machine's sources.
trixie_download() {
  local dir="$STATE_DIR/trixie-apt"
  mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/deb"
  echo "deb $(debian_mirror) trixie main" >"$dir/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=- -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache::Archives=$dir/archives" -o APT::Get::List-Cleanup=0)
  apt-get "${opts[@]}" update -q >>"$STATE_DIR/apt.log" 2>&1 || die "cannot read Debian 13 (trixie) package lists; see $STATE_DIR/apt.log"
  (cd "$dir/deb" && rm -f "$1"_*.deb && apt-get "${opts[@]}" download "$1" >>"$STATE_DIR/apt.log" 2>&1) \
    || die "cannot download $1 from trixie; see $STATE_DIR/apt.log"
}

# moto_server (the S3 test server) from Debian 13's python3-moto 5.1, pure Python: unpacked, not
# installed, and run by the bed with this release's Python and the dependencies of NEEDS.
install_moto() {
  [ -r "$MOTO_DIR/usr/lib/python3/dist-packages/moto/server.py" ] && return 0
  say "unpacking moto_server (S3 test server) from Debian 13's python3-moto into $MOTO_DIR"
  trixie_download python3-moto
  rm -rf "$MOTO_DIR" && dpkg -x "$STATE_DIR"/trixie-apt/deb/python3-moto_*.deb "$MOTO_DIR"
}

# Debian 12 ships only Compose v1; Debian 13's docker-compose .deb is Compose v2 and runs on 12.
install_compose_plugin() {
  [ -x "$COMPOSE_PLUGIN" ] && return 0
  if is_debian_like && apt-cache policy docker-compose 2>/dev/null | grep -qE 'Candidate: 2\.'; then
    say "installing docker-compose (Compose v2) from this release"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker-compose >>"$STATE_DIR/apt.log" 2>&1 && [ -x "$COMPOSE_PLUGIN" ] && return 0
  fi
  say "installing the Compose v2 plugin from Debian 13's docker-compose package"
  local dir="$STATE_DIR/trixie-apt"
  trixie_download docker-compose
  rm -rf "$dir/x" && dpkg -x "$dir"/deb/docker-compose_*.deb "$dir/x"
  install -D -m755 "$dir/x/usr/libexec/docker/cli-plugins/docker-compose" "$COMPOSE_PLUGIN"
}

docker_up() { timeout 5 "$DOCKER" info >/dev/null 2>&1; }

start_dockerd() {
  docker_up && return 0
  if pgrep -x dockerd >/dev/null; then
    say "dockerd is running but does not answer yet"
  else
    say "starting dockerd (log: $STATE_DIR/dockerd.log)"
    # The engine outlives this script: it must hold none of the caller's open files (a `flock`
    # around the tests stayed held for as long as the dockerd started inside it ran).
    (
      for fd in /proc/$BASHPID/fd/*; do n="${fd##*/}"; [ "$n" -gt 2 ] && eval "exec $n>&-"; done
      exec setsid /usr/sbin/dockerd >"$STATE_DIR/dockerd.log" 2>&1 </dev/null
    ) &
    echo $! >"$STATE_DIR/dockerd.pid"
  fi
  local i
  for i in $(seq 1 60); do docker_up && return 0; sleep 0.5; done
  die "the Docker engine did not answer within 30 s; see $STATE_DIR/dockerd.log"
}

check_without_root() {
  local problems=() cmd
  for cmd in "${!NEEDS[@]}"; do [ -e "$cmd" ] || problems+=("$cmd (Debian package ${NEEDS[$cmd]})"); done
  [ -r "$MOTO_DIR/usr/lib/python3/dist-packages/moto/server.py" ] || problems+=("moto_server for the S3 test bed (Debian 13 package python3-moto, unpacked into $MOTO_DIR)")
  [ -x "$COMPOSE_PLUGIN" ] || problems+=("the Docker Compose v2 plugin at $COMPOSE_PLUGIN (Debian 13 package docker-compose, or Docker's docker-compose-plugin)")
  docker_up || problems+=("a running Docker engine that $(id -un) may use (start dockerd, or add $(id -un) to the docker group)")
  if [ ${#problems[@]} -gt 0 ]; then
    printf 'bootstrap: error: the end-to-end suite needs:\n' >&2
    printf '  - %s\n' "${problems[@]}" >&2
    printf '  hint: run this script as root on Debian or Ubuntu to install them, or install them yourself; `npm run test:fast` runs the suites that need none of them\n' >&2
    exit 1
  fi
}

main() {
  mkdir -p "$STATE_DIR"
  if [ "$(id -u)" = 0 ] && is_debian_like && command -v apt-get >/dev/null; then
    install_packages
    install_compose_plugin
    install_moto
    start_dockerd
  else
    check_without_root
  fi
  [ "${1:-}" = "--system" ] && return 0
  [ -f "$REPO/dist/sandbox/prepare-bed.js" ] || die "homelab-wizard is not built (dist/ is missing); run npm run build first"
  local rc=0
  node "$REPO/test/e2e/prepare-bed.mjs" || rc=$?
  # 13: Node ran out of work with a promise pending (no message of its own).
  [ "$rc" != 13 ] || die "preparing the test bed ended with a promise nothing could settle (Node exit code 13); this is a bug in homelab-wizard"
  [ "$rc" = 0 ] || die "preparing the test bed failed (exit code $rc, see above)"
}

main "$@"
