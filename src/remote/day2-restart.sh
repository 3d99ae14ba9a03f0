# Apply of `restart SERVICE`: its container restarted as it is (no recreate), then the health
# gate; exit 4 (EXIT_GATE_NOT_RESTORED) when it does not come back healthy. The gate's progress
# lines go to stdout.
# uses: health
#
#   $1  project folder (holds `current`)
#   $2  compose project
#   $3  compose file name
#   $4  service
#   $5  the gate's bound in seconds
cd "$1/current" || { echo "nothing is deployed in $1" >&2; exit 1; }
docker compose -p "$2" -f "$3" restart "$4" || exit 1
hlw_gate "$2" "$5" "$4" || exit 4
