# Revert now and wait for it (bounded): run the script here; once it passed, stop the timer so it
# does not run twice. A revert that fails (or never ends) leaves the timer armed to try again.
#
#   $1  the unit's name
#   $2  the revert script's path
#   $3  the bound in seconds
timeout "$3" "$2" || exit "$?"; systemctl stop -- "$1.timer" 2>/dev/null; exit 0
