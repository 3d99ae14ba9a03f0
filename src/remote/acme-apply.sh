# Start the renewal timer and obtain (or renew when due) the certificate now, through the unit
# itself, so the first run is the same program as every later one. On failure, prints why.
#
#   $1  the systemd unit's name, without suffix
#   $2  the project's tls folder (state)
systemctl daemon-reload && systemctl enable --quiet "$1.timer" && systemctl restart "$1.timer" || exit 1
systemctl start "$1.service" && exit 0
printf '%s\n' "$(sed -n 's/^message=//p' "$2/state" 2>/dev/null)" >&2
printf 'see: journalctl -u %s.service\n' "$1" >&2
exit 1
