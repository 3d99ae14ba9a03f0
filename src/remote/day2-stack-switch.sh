# Apply of `rollback` without a service: a whole release that is on the host up (infra, then
# apps), each file health-gated (hlw_gate, every service the file defines); on failure both files
# of the running release are brought back, gated the same way, each service within its own bound:
# exit 3 when they are healthy again, 4 when not (EXIT_GATE_RESTORED, EXIT_GATE_NOT_RESTORED).
# The gate's progress lines go to stdout (fd 3).
# uses: health
#
#   $1  project folder
#   $2  release id
#   $3  infra compose project ('' to skip the infra file)
#   $4  apps compose project ('' to skip the apps file)
#   $5  default gate bound in seconds
#   $6  the gate's bounds, `svc=SECONDS ...` (healthBounds)
exec 3>&1
# The gate on every service the file defines (a file compose cannot read fails). Args: compose project, file, timeout.
gate_file() {
  _svcs=$(docker compose -p "$1" -f "$2" config --services) || return 1
  # shellcheck disable=SC2046,SC2086 # the services are words on purpose
  hlw_gate "$1" "$3" $(hlw_bounded "$bounds" $_svcs)
}
bounds=$6
cd "$1/releases/$2" || exit 1
failed=
for pair in "$3:docker-compose-infra.yml" "$4:docker-compose.yml"; do
  p=${pair%%:*}; f=${pair#*:}
  [ -n "$p" ] || continue
  why=''
  if docker compose -p "$p" -f "$f" up -d --remove-orphans --quiet-pull && why=$(gate_file "$p" "$f" "$5" 2>&1 >&3); then continue; fi
  echo "health gate failed: $f of release $2 did not come up healthy:" >&2
  [ -z "$why" ] || printf '%s\n' "$why" >&2
  docker compose -p "$p" -f "$f" ps -a --format '  {{.Service}}: {{.Image}} {{.Status}}' >&2
  failed=1; break
done
[ -z "$failed" ] && exit 0
prev=$(readlink "$1/current" 2>/dev/null || true)
cd "$1/$prev" 2>/dev/null || { echo "no running release to go back to" >&2; exit 4; }
ok=1
for pair in "$3:docker-compose-infra.yml" "$4:docker-compose.yml"; do
  p=${pair%%:*}; f=${pair#*:}
  [ -n "$p" ] || continue
  { docker compose -p "$p" -f "$f" up -d --remove-orphans >/dev/null 2>&1 && gate_file "$p" "$f" "$5" >/dev/null 2>&1; } || ok=
done
if [ -n "$ok" ]; then echo "restored the running release $(basename "$prev"): it is running and healthy" >&2; exit 3; fi
echo "the running release $(basename "$prev") did not come back healthy either" >&2
exit 4
