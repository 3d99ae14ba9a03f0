# Exit 0 when unattended-upgrades is enabled and running.
# Args: none.
systemctl is-enabled --quiet unattended-upgrades && systemctl is-active --quiet unattended-upgrades
