# Check of `restart SERVICE`: converged when the service's container started at or after the
# given time (the host's clock, read by the probe that planned the restart) and is healthy now.
# uses: health
#
#   $1  compose project
#   $2  service
#   $3  epoch seconds
cid=$(docker ps -aq --filter "label=com.docker.compose.project=$1" --filter "label=com.docker.compose.service=$2" | head -n 1)
[ -n "$cid" ] || { echo "$2: no container"; exit 1; }
at=$(date -d "$(docker inspect -f '{{.State.StartedAt}}' "$cid")" +%s 2>/dev/null || echo 0)
[ "$at" -ge "$3" ] || { echo "$2: not restarted since this command read the host"; exit 1; }
status=$(docker ps -a --filter "id=$cid" --format '{{.Status}}')
hlw_healthy_now "$1" "$2" "$status" || { echo "$2: restarted, not healthy ($status)"; exit 1; }
