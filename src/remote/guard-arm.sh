# Arm a guard, in one round trip: write the revert script (stdin; 0700 root, through a temp file)
# into the guards folder, then start a transient timer that runs it after the delay. systemd
# runs it, so it fires even when the operator's machine, its network or its process is gone.
#
#   $1  the guards folder
#   $2  the revert script's path
#   $3  seconds until the timer fires
#   $4  the transient unit's name
install -d -m 0700 -o root -g root -- "$1" && t=$(mktemp "$2.XXXXXX") && cat > "$t" && chmod 0700 -- "$t" && mv -f -- "$t" "$2" && systemd-run --quiet --collect --on-active="$3" --unit="$4" --description='homelab-wizard: revert an unproven change' -- "$2"
