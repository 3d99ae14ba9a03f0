# Tailscale from Tailscale's own apt repository (a real server with HTTPS egress), pinned to a
# version, and tailscaled running.
# uses: apt
#
#   $1  the version to install
set -e
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2119 # the default bound (300 s)
hlw_apt_wait
# The host's own file, not part of this script.
# shellcheck source=/dev/null
. /etc/os-release
hlw_apt_get update -q >/dev/null && hlw_apt_get install -y -q ca-certificates curl >/dev/null
install -m 0755 -d /usr/share/keyrings
curl -fsSL "https://pkgs.tailscale.com/stable/$ID/$VERSION_CODENAME.noarmor.gpg" -o /usr/share/keyrings/tailscale-archive-keyring.gpg
curl -fsSL "https://pkgs.tailscale.com/stable/$ID/$VERSION_CODENAME.tailscale-keyring.list" -o /etc/apt/sources.list.d/tailscale.list
hlw_apt_get update -q >/dev/null
hlw_apt_get install -y -q "tailscale=$1" >/dev/null
systemctl enable --now tailscaled >/dev/null 2>&1
