# Check of a day-2 step (redeploy, rollback): converged when `current` is the release and every
# listed service's container was created from it (inputs label) and is healthy now
# (hlw_healthy_now). Prints one line per thing that is not. Fixed value: the inputs label
# (INPUTS_LABEL); a test checks it agrees.
# uses: health
#
#   $1  project folder (holds `current`)
#   $2  release id
#   $3… `COMPOSE_PROJECT/SERVICE=INPUTS` items
cd "$1" || { echo "the project folder $1 is missing"; exit 1; }
release=$2
shift 2
said=''
cur=$(readlink current 2>/dev/null || true)
[ "$cur" = "releases/$release" ] || { echo "current is ${cur:-missing}, not releases/$release"; said=1; }
for item in "$@"; do
  pr=${item%%/*}; rest=${item#*/}; svc=${rest%%=*}; want=${rest#*=}
  line=$(docker ps -a --filter "label=com.docker.compose.project=$pr" --filter "label=com.docker.compose.service=$svc" --format '{{.Label "homelab-wizard.inputs"}} {{.State}} {{.Status}}' 2>/dev/null | head -n 1)
  case "$line" in
    '') echo "$svc: no container"; said=1 ;;
    "$want running "*) hlw_healthy_now "$pr" "$svc" "$line" || { echo "$svc: not healthy (${line#* running })"; said=1; } ;;
    "$want "*) echo "$svc: not running (${line#* })"; said=1 ;;
    *) echo "$svc: its container was not created from release $release"; said=1 ;;
  esac
done
[ -z "$said" ]
