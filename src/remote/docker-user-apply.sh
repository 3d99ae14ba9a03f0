# (Re)start the DOCKER-USER filter unit after its files changed.
# Args: none.
systemctl daemon-reload && systemctl enable homelab-wizard-docker-user >/dev/null 2>&1 && systemctl restart homelab-wizard-docker-user
