# The Headscale CLI on the hub: in the container of the project's `headscale` service when it
# runs, else the host's own `headscale`; exit 3 when neither.
#
#   $1  the compose project of the infra file
#   $2  and after: the CLI's arguments
c=$(docker ps -q --filter "label=com.docker.compose.project=$1" --filter label=com.docker.compose.service=headscale 2>/dev/null | head -n1)
shift
if [ -n "$c" ]; then exec docker exec "$c" headscale "$@"; fi
if command -v headscale >/dev/null 2>&1; then exec headscale "$@"; fi
echo "no running Headscale here: neither a headscale container of this project nor a headscale command" >&2
exit 3
