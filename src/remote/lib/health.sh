# The health gate after a `docker compose up -d` (no `--wait`), and the one rule for "healthy now".
# Why not `--wait`: it waits for Docker's own health status, and Docker (before Engine 25 and its
# `start_interval`; Debian 12 ships 20.10) runs a container's first health check one `interval`
# after the start: 10 s for Redis, 30 s for n8n, so every recreate cost at least that. This gate
# takes Docker's verdict whenever Docker has one (`healthy`, `unhealthy`); while Docker still says
# `starting` it runs the container's own health test itself (`docker exec`, bounded by the test's
# own timeout), once a second, and passes as soon as that test exits 0. Every script that gates or
# judges health uses it (deploy's stack check and up, redeploy, rollback, the probe, smoke), so
# they all agree on "healthy".
# uses: progress
#
# hlw_healthy_now PROJECT SERVICE STATUS: exit 0 when the container's status text (docker ps
#   {{.Status}}) says `(healthy)`, or says `(health: starting)` and the container's own health
#   test passes now (one look of hlw_gate, bound 0); else 1. Prints nothing.
# hlw_gate PROJECT TIMEOUT_SECONDS SERVICE[=SECONDS]...: exit 0 when every service's container of
#   that compose project is healthy (or runs without a health check); else one line on stderr
#   naming the service and its state, exit 1. Each service has its own bound (`=SECONDS`, from the
#   catalogue's `healthTimeoutSeconds`; TIMEOUT_SECONDS for one without), counted from the gate's
#   start: the containers were all started just before it. Fails at once on
#   unhealthy/exited/dead/restarting; a timeout of 0 is a single look. While it waits it says so
#   on progress lines: the service, elapsed/bound, the last state and the last line its health
#   test printed.
# hlw_bounded BOUNDS SERVICE...: the services as `svc=SECONDS` items, from a `svc=SECONDS ...` list.
# hlw_probe CID: one `docker inspect` (status, exit code, health, the test's timeout in
#   nanoseconds, then the test one item a line); prints `ok …`, `wait …` or `fail …`.
# hlw_own_test CID TIMEOUT_SECONDS, with the test on stdin (kind, then its arguments, one a line):
#   runs it in the container; its output on stdout.
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
hlw_own_test() {
  IFS= read -r _hg_kind || return 1
  case "$_hg_kind" in
    CMD-SHELL) _hg_cmd=$(cat); timeout "$2" docker exec "$1" /bin/sh -c "$_hg_cmd" </dev/null 2>&1 ;;
    CMD) (_hg_c=$1; _hg_t=$2; set --; while IFS= read -r _hg_a; do set -- "$@" "$_hg_a"; done; exec timeout "$_hg_t" docker exec "$_hg_c" "$@" </dev/null 2>&1) ;;
    *) return 1 ;;
  esac
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
hlw_probe() {
  _hg_o=$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{if .Config.Healthcheck}}{{json .Config.Healthcheck.Timeout}}{{else}}0{{end}}{{println}}{{if .Config.Healthcheck}}{{range .Config.Healthcheck.Test}}{{println .}}{{end}}{{end}}' "$1" 2>&1) || { printf 'fail no container (%s)\n' "$(printf '%s\n' "$_hg_o" | head -n 1)"; return 0; }
  # shellcheck disable=SC2046
  set -- "$1" $(printf '%s\n' "$_hg_o" | head -n 1)
  case "$2" in
    running) ;;
    exited|dead) printf 'fail %s (exit code %s)\n' "$2" "$3"; return 0 ;;
    restarting) printf 'fail restarting (last exit code %s)\n' "$3"; return 0 ;;
    *) printf 'wait %s\n' "$2"; return 0 ;;
  esac
  case "$4" in
    healthy) echo 'ok running, healthy'; return 0 ;;
    none) echo 'ok running, no health check'; return 0 ;;
    unhealthy) echo 'fail running, unhealthy (Docker health check failed)'; return 0 ;;
    starting) ;;
    *) printf 'wait running, health: %s\n' "$4"; return 0 ;;
  esac
  # Docker has not run its first check yet: run the container's own test now.
  # Nanoseconds (json: a plain template prints a duration as "5s"); 0 or anything else: Docker's default, 30 s.
  case "$5" in
    ''|*[!0-9]*) _hg_to=30 ;;
    *) _hg_to=$(( ($5 + 999999999) / 1000000000 )); [ "$_hg_to" -gt 0 ] || _hg_to=30 ;;
  esac
  if _hg_out=$(printf '%s\n' "$_hg_o" | sed 1d | hlw_own_test "$1" "$_hg_to"); then
    echo 'ok running, health: starting (its own health test passes; Docker has not run its first check yet)'
  else
    # The last line the test printed says why (a refused connection, a 503), one line, kept short.
    _hg_out=$(printf '%s\n' "$_hg_out" | tr -d '\r' | sed '/^[[:space:]]*$/d' | tail -n 1 | cut -c 1-160)
    printf 'wait running, health: starting (its own health test does not pass yet%s)\n' "${_hg_out:+: $_hg_out}"
  fi
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
hlw_bounded() {
  _hb_l=" $1 "; shift
  for _hb_s in "$@"; do
    _hb_b=${_hb_l#* "$_hb_s"=}
    if [ "$_hb_b" != "$_hb_l" ]; then printf '%s=%s ' "$_hb_s" "${_hb_b%% *}"; else printf '%s ' "$_hb_s"; fi
  done
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
hlw_gate() {
  _hg_p=$1; _hg_t=$2; shift 2
  _hg_start=$(date +%s)
  for _hg_i in "$@"; do
    case "$_hg_i" in
      *=*) _hg_s=${_hg_i%%=*}; _hg_b=${_hg_i#*=} ;;
      *) _hg_s=$_hg_i; _hg_b=$_hg_t ;;
    esac
    _hg_end=$(( _hg_start + _hg_b )); _hg_said=-99
    _hg_cid=$(docker ps -aq --filter "label=com.docker.compose.project=$_hg_p" --filter "label=com.docker.compose.service=$_hg_s" --filter label=com.docker.compose.oneoff=False 2>/dev/null | head -n 1)
    [ -n "$_hg_cid" ] || { printf '  %s: no container\n' "$_hg_s" >&2; return 1; }
    while :; do
      _hg_v=$(hlw_probe "$_hg_cid")
      case "$_hg_v" in
        '') _hg_v='wait no answer from docker inspect' ;;
        ok*) break ;;
        fail*) printf '  %s: %s\n' "$_hg_s" "${_hg_v#fail }" >&2; return 1 ;;
      esac
      _hg_now=$(date +%s)
      if [ "$_hg_now" -ge "$_hg_end" ]; then
        printf '  %s: not healthy within %s s, last state: %s\n' "$_hg_s" "$_hg_b" "${_hg_v#wait }" >&2
        return 1
      fi
      if [ $(( _hg_now - _hg_said )) -ge 5 ]; then
        hlw_progress "health gate: waiting for $_hg_s, $(( _hg_now - _hg_start ))/$_hg_b s: ${_hg_v#wait }"
        _hg_said=$_hg_now
      fi
      sleep 1
    done
  done
  return 0
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
hlw_healthy_now() {
  case "$3" in
    *'(healthy)'*) return 0 ;;
    *'(health: starting)'*) hlw_gate "$1" 0 "$2" >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}
