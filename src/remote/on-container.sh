# Docker on a service's container (`logs`, `exec`): finds the container in the project's compose
# projects, then runs `docker` with the arguments given, `{}` replaced by the container id. Exit
# 125 when there is no container (Docker's own code for "docker itself failed").
#
#   $1  infra compose project
#   $2  apps compose project
#   $3  service
#   $4… docker arguments, with `{}` where the container id goes
cid=$(for p in "$1" "$2"; do docker ps -aq --filter "label=com.docker.compose.project=$p" --filter "label=com.docker.compose.service=$3"; done | head -n 1)
[ -n "$cid" ] || { echo "$3: no container of this project on the host" >&2; exit 125; }
shift 3
for a in "$@"; do
  shift
  if [ "$a" = '{}' ]; then set -- "$@" "$cid"; else set -- "$@" "$a"; fi
done
exec docker "$@"
