/**
 * Shell scripts of the day-2 commands (pure text; args are passed positionally, never spliced).
 * Every one re-checks on the host what the command read before, so two operators cannot mix.
 */
import { HEALTH_GATE } from '../deploy/health-gate.js';

/**
 * Seed `releases/<new>.tmp` from the running release, copy the service's files from a source
 * release, remove the service's dropped files. Args: project, base id, new id, source id ('' when
 * none), then `c:PATH` (copy) and `r:PATH` (remove) items.
 */
export const SEED_SCRIPT = `cd "$1" || exit 1
[ "$(readlink current)" = "releases/$2" ] || { echo "current changed since this command read the host (it is now $(readlink current)); run the command again" >&2; exit 1; }
new="releases/$3.tmp"; src="releases/$4"; base="releases/$2"; shift 4
rm -rf -- "$new" && cp -a -- "$base" "$new" || exit 1
for a in "$@"; do
  case "$a" in
    c:*) p=\${a#c:}; mkdir -p -- "$(dirname -- "$new/$p")" && cp -a -- "$src/$p" "$new/$p" || exit 1 ;;
    r:*) rm -f -- "$new/\${a#r:}" ;;
  esac
done`;

/**
 * Move the seeded folder into place, then bring up ONLY the service (--no-deps) from it,
 * health-gated (HEALTH_GATE). On failure: say why (the gate's reason, status, health output, last
 * log lines), then bring the service back from the base release and say whether it is healthy
 * again; exit 1 either way.
 * Args: project, new id, base id, compose project, compose file, service, the service's gate bound
 * in seconds (healthBounds). The gate's progress lines go to stdout (fd 3).
 */
export const SERVICE_UP_SCRIPT = `${HEALTH_GATE}
exec 3>&1
cd "$1" || exit 1
if [ -d "releases/$2.tmp" ]; then rm -rf -- "releases/$2" && mv -- "releases/$2.tmp" "releases/$2" || exit 1; fi
cd "releases/$2" || exit 1
why=''
if docker compose -p "$4" -f "$5" up -d --no-deps --quiet-pull "$6"; then why=$(hlw_gate "$4" "$7" "$6" 2>&1 >&3) && exit 0; fi
echo "health gate failed: $6 of release $2 did not come up healthy:" >&2
[ -z "$why" ] || printf '%s\\n' "$why" >&2
docker compose -p "$4" -f "$5" ps -a --format '  {{.Service}}: {{.Image}} {{.Status}}' "$6" >&2
cid=$(docker compose -p "$4" -f "$5" ps -aq "$6" 2>/dev/null | head -n 1)
if [ -n "$cid" ]; then
  docker inspect -f '{{if .State.Health}}{{range .State.Health.Log}}{{.Output}}{{end}}{{end}}' "$cid" 2>/dev/null | tail -n 5 | sed 's/^/  health: /' >&2
  docker logs --tail 15 "$cid" 2>&1 | sed 's/^/  log: /' >&2
fi
cd "$1/releases/$3" || exit 1
if docker compose -p "$4" -f "$5" up -d --no-deps "$6" >/dev/null 2>&1 && hlw_gate "$4" "$7" "$6" 2>/dev/null; then
  echo "rolled $6 back to release $3: it is running and healthy" >&2
else
  echo "$6 of release $3 did not come back healthy either" >&2
fi
exit 1`;

/**
 * A whole release up (infra, then apps), each file health-gated (HEALTH_GATE, every service the
 * file defines); on failure both files of the running release are brought back, gated the same
 * way, each service within its own bound. Args: project, release id, infra compose project ('' to
 * skip), apps compose project ('' to skip), default timeout seconds, the bounds (`svc=SECONDS ...`,
 * healthBounds). The gate's progress lines go to stdout (fd 3).
 */
export const STACK_SWITCH_SCRIPT = `${HEALTH_GATE}
exec 3>&1
# The gate on every service the file defines (a file compose cannot read fails). Args: compose project, file, timeout.
gate_file() {
  _svcs=$(docker compose -p "$1" -f "$2" config --services) || return 1
  # shellcheck disable=SC2046,SC2086
  hlw_gate "$1" "$3" $(hlw_bounded "$bounds" $_svcs)
}
bounds=$6
cd "$1/releases/$2" || exit 1
failed=
for pair in "$3:docker-compose-infra.yml" "$4:docker-compose.yml"; do
  p=\${pair%%:*}; f=\${pair#*:}
  [ -n "$p" ] || continue
  why=''
  if docker compose -p "$p" -f "$f" up -d --remove-orphans --quiet-pull && why=$(gate_file "$p" "$f" "$5" 2>&1 >&3); then continue; fi
  echo "health gate failed: $f of release $2 did not come up healthy:" >&2
  [ -z "$why" ] || printf '%s\\n' "$why" >&2
  docker compose -p "$p" -f "$f" ps -a --format '  {{.Service}}: {{.Image}} {{.Status}}' >&2
  failed=1; break
done
[ -z "$failed" ] && exit 0
prev=$(readlink "$1/current" 2>/dev/null || true)
cd "$1/$prev" 2>/dev/null || { echo "no running release to go back to" >&2; exit 1; }
ok=1
for pair in "$3:docker-compose-infra.yml" "$4:docker-compose.yml"; do
  p=\${pair%%:*}; f=\${pair#*:}
  [ -n "$p" ] || continue
  { docker compose -p "$p" -f "$f" up -d --remove-orphans >/dev/null 2>&1 && gate_file "$p" "$f" "$5" >/dev/null 2>&1; } || ok=
done
if [ -n "$ok" ]; then echo "restored the running release $(basename "$prev"): it is running and healthy" >&2; else echo "the running release $(basename "$prev") did not come back healthy either" >&2; fi
exit 1`;
