# The remote side of the planner: ONE POSIX sh script per host and run that runs every check and
# hashes every file, because each separate remote command costs a round trip (10-100 ms, plus the
# remote ~/.bashrc). src/engine/probe-script.ts builds it from these functions and one call a
# check, file or folder, its values quoted. It runs as root, reads its script from stdin (`sh -s`),
# and reports on lines starting with `@@hlw ` (MARK), so whatever a login script prints cannot be
# mistaken for a result. Free text goes back base64-encoded, so no value can break the line
# protocol. Fixed values (MARK, MAX_DIFF_BYTES 262144, CHECK_TIMEOUT_S 120, CHECK_REPORT_LINES 40,
# the guard header) agree with src/engine: a test checks.
# uses: health
#
# probe_begin PROJECT_DIR: sets P (the project folder) and L (its lock folder), says `begin`.
# e WORD...: one result line.
# probe_host_state REPORT_LOCK: the lock's owner (when REPORT_LOCK is 1 and a lock is held) and
#   the last audit line.
# probe_make_project: the project folder, created when missing (root, 0755); on failure says why
#   and ends the script.
# probe_break_lock MATCH: removes the lock (saying whose it was) only when it is the one the
#   operator saw: its info.json has MATCH (`"runId":"…"`), or, with MATCH empty, has no runId.
# probe_take_lock INFO_BASE64: takes the lock (mkdir) and writes its info.json; when another run
#   holds it, says whose and ends the script.
# probe_finish AUDIT_BASE64 RUN_MATCH: appends the audit line, then releases the lock if its
#   info.json has RUN_MATCH (`"runId":"…"`: still this run's), else says `not-ours`.
# k STEP ARGV...: run a check (bounded, no stdin, output dropped); `check STEP EXIT`.
# kr STEP ARGV...: a reporting check: `check STEP EXIT OUTPUT` (its first 40 lines, base64).
# f STEP FILE PATH SHA256 SECRET: a file's state (`file STEP FILE absent|other|unreadable|present
#   SHA MODE OWNER SIZE`), and its content (base64) when it differs from SHA256, is no secret
#   (SECRET 0) and is small enough for a diff. Owner by name and by id: data folders belong to
#   container uids that have no name on the host.
# d STEP DIR PATH: a folder's state (`dir STEP DIR absent|other|present MODE OWNER`).
# probe_guards DIR UNIT_PREFIX: every guard (a revert script in DIR): its header, whether its timer
#   still waits, whether its revert runs right now, and its age by the host's clock.
# probe_inventory PROJECT_DIR COMPOSE_PROJECT...: what runs and what is deployed, for `status`:
#   each container of the compose projects (service, image, state, status, id, inputs label, and while Docker says
#   `health: starting` whether it is healthy now: hlw_healthy_now), state.json, the `current`
#   link and the sha256 of every file under it.
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
e() { printf '@@hlw %s\n' "$*"; }
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
probe_begin() {
  P=$1
  L="$P/lock"
  e begin
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
probe_host_state() {
  if [ "$1" = 1 ] && [ -d "$L" ]; then e "lock $(base64 -w0 -- "$L/info.json" 2>/dev/null)"; fi
  if [ -f "$P/audit.log" ]; then e "audit $(tail -n 1 -- "$P/audit.log" | base64 -w0)"; fi
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
probe_make_project() {
  [ -d "$P" ] || install -d -m 0755 -o root -g root -- "$P" || { e "fail cannot create $P"; exit 0; }
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
probe_break_lock() {
  [ -d "$L" ] || return 0
  if [ -z "$1" ]; then
    ! grep -qF '"runId":' "$L/info.json" 2>/dev/null || return 0
  else
    grep -qF -- "$1" "$L/info.json" 2>/dev/null || return 0
  fi
  e "replaced $(base64 -w0 -- "$L/info.json" 2>/dev/null)"; rm -rf -- "$L"
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
probe_take_lock() {
  if mkdir -- "$L" 2>/dev/null; then printf %s "$1" | base64 -d > "$L/info.json"; e acquired; else e "held $(base64 -w0 -- "$L/info.json" 2>/dev/null)"; e end; exit 0; fi
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
probe_finish() {
  if ! { printf %s "$1" | base64 -d >> "$P/audit.log" && chmod 0640 -- "$P/audit.log"; }; then e "fail cannot write $P/audit.log"; fi
  if grep -qF -- "$2" "$L/info.json" 2>/dev/null; then rm -rf -- "$L" && e released; else e not-ours; fi
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
k() {
  _k=$1; shift
  ( timeout 120 "$@" ) </dev/null >/dev/null 2>&1; e "check $_k $?"
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
kr() {
  _k=$1; shift
  o=$( ( timeout 120 "$@" ) </dev/null 2>/dev/null ); r=$?; e "check $_k $r $(printf '%s\n' "$o" | head -n 40 | base64 -w0)"
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
f() {
  if [ -L "$3" ] || { [ -e "$3" ] && [ ! -f "$3" ]; }; then e "file $1 $2 other"; return; fi
  if [ ! -e "$3" ]; then e "file $1 $2 absent"; return; fi
  s=$(sha256sum -- "$3" 2>/dev/null) || { e "file $1 $2 unreadable"; return; }
  s=${s%% *}
  m=$(stat -c '%a %U:%G/%u:%g %s' -- "$3")
  e "file $1 $2 present $s $m"
  if [ "$s" != "$4" ] && [ "$5" = 0 ]; then
    if [ "${m##* }" -le 262144 ]; then printf '@@hlw content %s %s ' "$1" "$2"; base64 -w0 -- "$3"; printf '\n'; else e "content-too-large $1 $2"; fi
  fi
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
d() {
  if [ -L "$3" ] || { [ -e "$3" ] && [ ! -d "$3" ]; }; then e "dir $1 $2 other"
  elif [ -d "$3" ]; then e "dir $1 $2 present $(stat -c '%a %U:%G/%u:%g' -- "$3")"
  else e "dir $1 $2 absent"; fi
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
probe_guards() {
  for g in "$1"/*.sh; do
    [ -f "$g" ] || continue
    n=${g##*/}; n=${n%.sh}
    u="$2$n"
    m=$(sed -n 's/^# homelab-wizard guard //p' -- "$g" | head -n 1)
    t=$(systemctl is-active -- "$u.timer" 2>/dev/null); s=$(systemctl is-active -- "$u.service" 2>/dev/null)
    a=$(( $(date +%s) - $(stat -c %Y -- "$g") ))
    e "guard $(printf %s "$u" | base64 -w0) $(printf %s "$g" | base64 -w0) ${m:--} ${t:-unknown} ${s:-unknown} $a"
  done
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
probe_inventory() {
  _pd=$1; shift
  if command -v docker >/dev/null 2>&1 && timeout 30 docker version >/dev/null 2>&1; then
    for pr in "$@"; do
      timeout 30 docker ps -a --filter "label=com.docker.compose.project=$pr" --format '{{.Label "com.docker.compose.service"}}	{{.Image}}	{{.State}}	{{.Status}}	{{.ID}}	{{.Label "homelab-wizard.inputs"}}' 2>/dev/null | while IFS= read -r l; do
        t=-
        case "$l" in *'(health: starting)'*) if (set +u; hlw_healthy_now "$pr" "$(printf %s "$l" | cut -f1)" "$l"); then t=pass; else t=fail; fi ;; esac
        e "ctr $pr $(printf '%s\t%s' "$l" "$t" | base64 -w0)"
      done
    done
  else e nodocker; fi
  if [ -f "$_pd/state.json" ]; then e "state $(base64 -w0 -- "$_pd/state.json")"; fi
  if [ -L "$_pd/current" ]; then
    e "current $(readlink -- "$_pd/current" | base64 -w0)"
    if [ -d "$_pd/current/" ]; then (cd "$_pd/current/" && find . -type f -exec sha256sum -- {} + 2>/dev/null) | while read -r s n; do e "cfile $s $(printf %s "${n#./}" | base64 -w0)"; done; fi
  fi
}
# probe_releases PROJECT_DIR: what day-2 commands build on: the host's clock, every release folder
#   with its release.json and compose files (never its env files: they hold secrets), and the
#   last 500 switches of history.jsonl.
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
probe_releases() {
  e "clock $(date +%s)"
  for r in "$1"/releases/*/; do
    [ -d "$r" ] || continue
    i=$(basename -- "$r")
    e "release $i $(stat -c %Y -- "$r") $(base64 -w0 -- "${r}release.json" 2>/dev/null)"
    for c in docker-compose-infra.yml docker-compose.yml; do if [ -f "$r$c" ]; then e "rcompose $i $c $(base64 -w0 -- "$r$c")"; fi; done
  done
  if [ -f "$1/history.jsonl" ]; then e "history $(tail -n 500 -- "$1/history.jsonl" | base64 -w0)"; fi
}
