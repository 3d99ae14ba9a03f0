/**
 * Shell scripts of the day-2 steps (pure text; args are passed positionally, never spliced).
 * Outcomes are exit codes, never message text: a caller reads the code, a person reads the words.
 */
import { INPUTS_LABEL } from '../../render/compose.js';
import { HEALTH_GATE } from '../deploy/health-gate.js';
import { SWITCH_CURRENT } from '../deploy/stack.js';

/** A failed health gate after which what ran before runs again, healthy. */
export const EXIT_GATE_RESTORED = 3;
/** A failed health gate after which what ran before did NOT come back healthy: someone must look. */
export const EXIT_GATE_NOT_RESTORED = 4;

/**
 * Converged when `current` is the release and every listed service's container was created from
 * it (inputs label) and is healthy now (the gate's single look). One line per thing that is not.
 * Args: project dir, release id, then `COMPOSE_PROJECT/SERVICE=INPUTS` items.
 */
export const RELEASE_CHECK = `${HEALTH_GATE}
cd "$1" || { echo "the project folder $1 is missing"; exit 1; }
release=$2; shift 2
said=''
cur=$(readlink current 2>/dev/null || true)
[ "$cur" = "releases/$release" ] || { echo "current is \${cur:-missing}, not releases/$release"; said=1; }
for item in "$@"; do
  pr=\${item%%/*}; rest=\${item#*/}; svc=\${rest%%=*}; want=\${rest#*=}
  line=$(docker ps -a --filter "label=com.docker.compose.project=$pr" --filter "label=com.docker.compose.service=$svc" --format '{{.Label "${INPUTS_LABEL}"}} {{.State}} {{.Status}}' 2>/dev/null | head -n 1)
  case "$line" in
    '') echo "$svc: no container"; said=1 ;;
    "$want running "*) hlw_gate "$pr" 0 "$svc" >/dev/null 2>&1 || { echo "$svc: not healthy (\${line#* running })"; said=1; } ;;
    "$want "*) echo "$svc: not running (\${line#* })"; said=1 ;;
    *) echo "$svc: its container was not created from release $release"; said=1 ;;
  esac
done
[ -z "$said" ]`;

/**
 * Seed `releases/<new>.tmp` from the running release, copy the service's files from a source
 * release, remove the service's dropped files, then write the files given on stdin (one a line:
 * `PATH MODE OWNER BASE64`; they may hold secrets, so they never travel in argv).
 * Args: project dir, base id, new id, source id ('' when none), then `c:PATH` (copy) and `r:PATH`
 * (remove) items.
 */
export const SEED_SCRIPT = `cd "$1" || exit 1
new="releases/$3.tmp"; src="releases/$4"; base="releases/$2"; shift 4
rm -rf -- "$new" && cp -a -- "$base" "$new" || exit 1
for a in "$@"; do
  case "$a" in
    c:*) p=\${a#c:}; mkdir -p -- "$(dirname -- "$new/$p")" && cp -a -- "$src/$p" "$new/$p" || exit 1 ;;
    r:*) rm -f -- "$new/\${a#r:}" ;;
  esac
done
umask 077
while IFS=' ' read -r p mode owner data; do
  [ -n "$p" ] || continue
  mkdir -p -- "$(dirname -- "$new/$p")" || exit 1
  printf '%s' "$data" | base64 -d > "$new/$p.part" && chmod "$mode" -- "$new/$p.part" && chown "$owner" -- "$new/$p.part" && mv -f -- "$new/$p.part" "$new/$p" || exit 1
done`;

/**
 * Move the seeded folder into place, then bring up ONLY the service (--no-deps) from it,
 * health-gated (HEALTH_GATE). On failure: say why (the gate's reason, status, health output, last
 * log lines), bring the service back from the base release, remove the new folder (it never went
 * live) and exit EXIT_GATE_RESTORED when the service is healthy again, else EXIT_GATE_NOT_RESTORED.
 * Args: project dir, new id, base id, compose project, compose file, service, the service's gate
 * bound in seconds (healthBounds). The gate's progress lines go to stdout (fd 3).
 */
export const SERVICE_UP_SCRIPT = `${HEALTH_GATE}
exec 3>&1
cd "$1" || exit 1
made=''
# Release ids name their content: a folder already there (a killed run got this far) is the same
# release, and a container may already mount files from it, so it is kept as it is.
if [ -d "releases/$2.tmp" ]; then
  if [ -d "releases/$2" ]; then rm -rf -- "releases/$2.tmp"; else mv -- "releases/$2.tmp" "releases/$2" || exit 1; made=1; fi
fi
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
cd "$1/releases/$3" || exit ${EXIT_GATE_NOT_RESTORED}
code=${EXIT_GATE_RESTORED}
if docker compose -p "$4" -f "$5" up -d --no-deps "$6" >/dev/null 2>&1 && hlw_gate "$4" "$7" "$6" 2>/dev/null; then
  echo "rolled $6 back to release $3: it is running and healthy" >&2
else
  echo "$6 of release $3 did not come back healthy either" >&2
  code=${EXIT_GATE_NOT_RESTORED}
fi
# The failed release never went live: its folder goes now, so it never shows as a rollback target.
if [ -n "$made" ] && [ "$2" != "$3" ] && [ "$(readlink "$1/current")" != "releases/$2" ]; then rm -rf -- "$1/releases/$2"; fi
exit $code`;

/**
 * A whole release up (infra, then apps), each file health-gated (HEALTH_GATE, every service the
 * file defines); on failure both files of the running release are brought back, gated the same
 * way, each service within its own bound: exit EXIT_GATE_RESTORED when they are healthy again,
 * else EXIT_GATE_NOT_RESTORED. Args: project dir, release id, infra compose project ('' to skip),
 * apps compose project ('' to skip), default timeout seconds, the bounds (`svc=SECONDS ...`,
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
cd "$1/$prev" 2>/dev/null || { echo "no running release to go back to" >&2; exit ${EXIT_GATE_NOT_RESTORED}; }
ok=1
for pair in "$3:docker-compose-infra.yml" "$4:docker-compose.yml"; do
  p=\${pair%%:*}; f=\${pair#*:}
  [ -n "$p" ] || continue
  { docker compose -p "$p" -f "$f" up -d --remove-orphans >/dev/null 2>&1 && gate_file "$p" "$f" "$5" >/dev/null 2>&1; } || ok=
done
if [ -n "$ok" ]; then echo "restored the running release $(basename "$prev"): it is running and healthy" >&2; exit ${EXIT_GATE_RESTORED}; fi
echo "the running release $(basename "$prev") did not come back healthy either" >&2
exit ${EXIT_GATE_NOT_RESTORED}`;

/**
 * Converged when the service's container started at or after the given time (the host's clock,
 * read by the probe that planned the restart) and is healthy now.
 * Args: compose project, service, epoch seconds.
 */
export const RESTARTED_CHECK = `${HEALTH_GATE}
cid=$(docker ps -aq --filter "label=com.docker.compose.project=$1" --filter "label=com.docker.compose.service=$2" | head -n 1)
[ -n "$cid" ] || { echo "$2: no container"; exit 1; }
at=$(date -d "$(docker inspect -f '{{.State.StartedAt}}' "$cid")" +%s 2>/dev/null || echo 0)
[ "$at" -ge "$3" ] || { echo "$2: not restarted since this command read the host"; exit 1; }
hlw_gate "$1" 0 "$2" >/dev/null 2>&1 || { echo "$2: restarted, not healthy"; exit 1; }`;

/**
 * Restart the service's container as it is (no recreate), then the health gate: exit
 * EXIT_GATE_NOT_RESTORED when it does not come back healthy.
 * Args: project dir, compose project, compose file, service, the gate's bound in seconds.
 * The gate's progress lines go to stdout.
 */
export const RESTART_SCRIPT = `${HEALTH_GATE}
cd "$1/current" || { echo "nothing is deployed in $1" >&2; exit 1; }
docker compose -p "$2" -f "$3" restart "$4" || exit 1
hlw_gate "$2" "$5" "$4" || exit ${EXIT_GATE_NOT_RESTORED}`;

/**
 * The running release's files, base64 one a line (`PATH BASE64`), to show what a redeploy changes.
 * Args: project dir, then the release-relative paths.
 */
export const READ_CURRENT_FILES = `cd "$1/current" || exit 1
shift
for p in "$@"; do printf '%s %s\\n' "$p" "$(base64 -w0 -- "$p" 2>/dev/null)"; done`;

/**
 * Switch `current` to the release (SWITCH_CURRENT: atomic, recorded in history.jsonl), then write
 * state.json from stdin (0600: it holds checksums of env files, which hold secrets).
 * Args: project dir, release id.
 */
export const SWITCH_WITH_STATE = `${SWITCH_CURRENT}
umask 077
cat > state.json.part && mv -f state.json.part state.json`;

/**
 * Finds the service's container in the project's compose projects, then runs Docker on it:
 * `logs` (timestamps, redacted by the caller) or `exec`. Exit 125 when there is no container
 * (Docker's own code for "docker run/exec itself failed").
 * Args: infra compose project, apps compose project, service, then the docker arguments with
 * `{}` where the container id goes.
 */
export const ON_CONTAINER = `cid=$(for p in "$1" "$2"; do docker ps -aq --filter "label=com.docker.compose.project=$p" --filter "label=com.docker.compose.service=$3"; done | head -n 1)
[ -n "$cid" ] || { echo "$3: no container of this project on the host" >&2; exit 125; }
shift 3
for a in "$@"; do shift; if [ "$a" = '{}' ]; then set -- "$@" "$cid"; else set -- "$@" "$a"; fi; done
exec docker "$@"`;
