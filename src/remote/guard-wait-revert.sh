# Wait (bounded) while the timer's own revert runs; prints whether the script is still there
# after (`present` or `gone`).
#
#   $1  the unit's name
#   $2  the revert script's path
#   $3  the bound in seconds
i=0; while systemctl is-active -q -- "$1.service" && [ "$i" -lt "$3" ]; do sleep 1; i=$((i+1)); done; if [ -e "$2" ]; then echo present; else echo gone; fi
