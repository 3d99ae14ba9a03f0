# Apply of a one-service release: move the seeded folder into place, then bring up ONLY the
# service (--no-deps) from it, health-gated (hlw_gate). On failure: say why (the gate's reason,
# status, health output, last log lines), bring the service back from the base release, remove
# the new folder (it never went live) and exit 3 when the service is healthy again, 4 when it is
# not (EXIT_GATE_RESTORED, EXIT_GATE_NOT_RESTORED; a test checks they agree). The gate's progress
# lines go to stdout (fd 3).
# uses: health
#
#   $1  project folder
#   $2  new release id
#   $3  base release id (the running one)
#   $4  compose project
#   $5  compose file name
#   $6  service
#   $7  the service's gate bound in seconds (healthBounds)
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
[ -z "$why" ] || printf '%s\n' "$why" >&2
docker compose -p "$4" -f "$5" ps -a --format '  {{.Service}}: {{.Image}} {{.Status}}' "$6" >&2
cid=$(docker compose -p "$4" -f "$5" ps -aq "$6" 2>/dev/null | head -n 1)
if [ -n "$cid" ]; then
  docker inspect -f '{{if .State.Health}}{{range .State.Health.Log}}{{.Output}}{{end}}{{end}}' "$cid" 2>/dev/null | tail -n 5 | sed 's/^/  health: /' >&2
  docker logs --tail 15 "$cid" 2>&1 | sed 's/^/  log: /' >&2
fi
cd "$1/releases/$3" || exit 4
code=3
if docker compose -p "$4" -f "$5" up -d --no-deps "$6" >/dev/null 2>&1 && hlw_gate "$4" "$7" "$6" 2>/dev/null; then
  echo "rolled $6 back to release $3: it is running and healthy" >&2
else
  echo "$6 of release $3 did not come back healthy either" >&2
  code=4
fi
# The failed release never went live: its folder goes now, so it never shows as a rollback target.
if [ -n "$made" ] && [ "$2" != "$3" ] && [ "$(readlink "$1/current")" != "releases/$2" ]; then rm -rf -- "$1/releases/$2"; fi
exit $code
