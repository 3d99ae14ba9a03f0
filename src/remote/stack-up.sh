# Deploy apply of one compose file: `compose up -d` and health-gated (hlw_gate), for the services
# that need it only: those whose inputs label differs or that do not run healthy now (every
# service of $5 is gated when nothing needed recreating). A plain `up` of the whole file would
# recreate every service, because compose hashes the env-file path and the bind-mount sources, and
# both live in the release folder, whose name changes with every release. On a failed gate the
# same services are brought back from the previous release and the step fails with the reason:
# the stack never stays half-deployed. The gate's progress lines go to stdout (fd 3) while its
# reason is kept from stderr. Fixed values: the inputs label (INPUTS_LABEL) and the gate's
# default bound of 60 s (DEFAULT_HEALTH_TIMEOUT_SECONDS); a test checks they agree.
# uses: health
#
#   $1  release folder (the compose file is in it)
#   $2  compose project
#   $3  compose file name
#   $4  project folder (holds `current`)
#   $5  expected services, one `svc=inputs` a line
#   $6  the gate's bounds, `svc=SECONDS ...` (healthBounds)
exec 3>&1
cd "$1" || exit 1
svcs=$(printf '%s\n' "$5" | while IFS='=' read -r svc want; do
  [ -n "$svc" ] || continue
  st=$(docker ps --filter "label=com.docker.compose.project=$2" --filter "label=com.docker.compose.service=$svc" --filter "label=homelab-wizard.inputs=$want" --filter status=running --format '{{.Status}}')
  hlw_healthy_now "$2" "$svc" "$st" || printf '%s ' "$svc"
done)
# Nothing changed (an orphan or a missing network made the check fail): keep every container as it is.
extra=''
gate=$svcs
[ -n "$svcs" ] || { extra=--no-recreate; gate=$(printf '%s\n' "$5" | sed -n 's/=.*//p' | tr '\n' ' '); }
# shellcheck disable=SC2086
gate=$(hlw_bounded "$6" $gate)
why=''
# shellcheck disable=SC2086
if docker compose -p "$2" -f "$3" up -d --remove-orphans --quiet-pull $extra $svcs; then why=$(hlw_gate "$2" 60 $gate 2>&1 >&3) && exit 0; fi
echo "health gate failed: $3 of release $(basename "$1") did not come up healthy:" >&2
[ -z "$why" ] || printf '%s\n' "$why" >&2
docker compose -p "$2" -f "$3" ps -a --format '  {{.Service}}: {{.Status}}' >&2
prev=$(readlink "$4/current" 2>/dev/null || true)
if [ -n "$prev" ] && [ "$4/$prev" != "$1" ] && [ -f "$4/$prev/$3" ]; then
  # shellcheck disable=SC2086
  if (cd "$4/$prev" && docker compose -p "$2" -f "$3" up -d --remove-orphans $extra $svcs >/dev/null 2>&1 && hlw_gate "$2" 60 $gate 2>/dev/null); then
    echo "restored the previous release $(basename "$prev"); it is running" >&2
  else
    echo "the previous release $(basename "$prev") did not come back healthy either" >&2
  fi
fi
exit 1
