# Exit 0 when the DOCKER-USER filter unit ran and its final DROP rule is in place.
# Args: none.
systemctl is-active --quiet homelab-wizard-docker-user && iptables -C DOCKER-USER -m conntrack --ctstate NEW -j DROP 2>/dev/null
