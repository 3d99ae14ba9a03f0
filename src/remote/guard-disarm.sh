# Disarm a guard: stop its timer (its service never starts), then remove the script. Fails when
# the timer is already gone.
#
#   $1  the unit's name
#   $2  the revert script's path
systemctl stop -- "$1.timer" && rm -f -- "$2"
