# Docker's own packages, from Docker's apt repository (a real server with HTTPS egress).
# uses: apt
# Args: none.
set -e
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2119 # the default bound (300 s)
hlw_apt_wait
# The host's own file, not part of this script.
# shellcheck source=/dev/null
. /etc/os-release
hlw_apt_get update -q >/dev/null && hlw_apt_get install -y -q ca-certificates curl >/dev/null
install -m 0755 -d /etc/apt/keyrings
curl -fsSL "https://download.docker.com/linux/$ID/gpg" -o /etc/apt/keyrings/docker.asc
chmod a+r /etc/apt/keyrings/docker.asc
echo "deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/$ID $VERSION_CODENAME stable" > /etc/apt/sources.list.d/docker.list
hlw_apt_get update -q >/dev/null
hlw_apt_get install -y -q docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin >/dev/null
systemctl enable --now docker >/dev/null 2>&1
