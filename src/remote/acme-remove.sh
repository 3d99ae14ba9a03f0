# Remove DNS-01 renewal after the profile left acme-dns-ovh: stop and remove the timer and its
# service, then the tls folder with the OVH keys and lego's account. The certificate files Caddy
# served stay in its data folder until Caddy no longer imports them (the new release).
#
#   $1  the systemd unit's name, without suffix
#   $2  the project's tls folder
systemctl disable --now "$1.timer" >/dev/null 2>&1
rm -f -- "/etc/systemd/system/$1.timer" "/etc/systemd/system/$1.service" && rm -rf -- "$2" && systemctl daemon-reload
