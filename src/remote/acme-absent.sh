# Exit 0 when no DNS-01 renewal is left on the host: neither the timer's unit file nor the
# project's tls folder (which holds the OVH keys) exists.
#
#   $1  the systemd unit's name, without suffix
#   $2  the project's tls folder
[ ! -e "/etc/systemd/system/$1.timer" ] && [ ! -e "$2" ]
