# The host side of the smoke checks: functions the smoke script (built by src/smoke/host-script.ts
# as calls of these, its values quoted) runs, printing facts, one line each, that `evaluateHost`
# judges in TypeScript. Every docker call is bounded: a hung container cannot hang the smoke run.
# uses: health
#
# smoke_begin CURRENT TIMEOUT_SECONDS: remembers the release folder (`current`) and the bound of
#   each docker call, and prints `cur ok` or `cur missing` (tab-separated).
# smoke_ps PROJECT: one `ps` line per container of the compose project: project, service, state,
#   status (base64), and while Docker says `health: starting` whether the container is healthy
#   now (hlw_healthy_now: `pass`/`fail`, else `-`).
# fact INDEX CODE OUTPUT: one result line (`r`, index, exit code, the output's first 4000 bytes
#   in base64).
# dc PROJECT FILE ARG...: `docker compose` of a compose file of the current release, bounded.
# b64: stdin in base64 on one line.
# smoke_ca PROJECT FILE SERVICE: Caddy's root certificate (its internal CA) from the service's
#   container: `ca BASE64`, or `ca -` when there is none.
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
smoke_begin() {
  cur=$1
  smoke_timeout=$2
  tab=$(printf '\t')
  if [ -d "$cur/" ]; then printf 'cur\tok\n'; else printf 'cur\tmissing\n'; fi
}
b64() { base64 | tr -d '\n'; }
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
fact() { printf 'r\t%s\t%s\t%s\n' "$1" "$2" "$(printf '%s' "$3" | head -c 4000 | b64)"; }
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
dc() { p="$1"; f="$2"; shift 2; timeout "$smoke_timeout" docker compose --project-directory "$cur" -p "$p" -f "$cur/$f" "$@"; }
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
smoke_ps() {
  docker ps -a --filter "label=com.docker.compose.project=$1" --format '{{.Label "com.docker.compose.service"}}	{{.State}}	{{.Status}}' 2>/dev/null | while IFS="$tab" read -r s st status; do
    t=-
    case "$status" in *'(health: starting)'*) if hlw_healthy_now "$1" "$s" "$status"; then t=pass; else t=fail; fi ;; esac
    printf 'ps\t%s\t%s\t%s\t%s\t%s\n' "$1" "$s" "$st" "$(printf '%s' "$status" | b64)" "$t"
  done
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
smoke_ca() {
  if o=$(dc "$1" "$2" exec -T "$3" cat /data/caddy/pki/authorities/local/root.crt 2>/dev/null); then printf 'ca\t%s\n' "$(printf '%s\n' "$o" | b64)"; else printf 'ca\t-\n'; fi
}
