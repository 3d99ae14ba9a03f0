# Docker from the distribution. Debian 12 ships Compose v1 only; Compose v2 comes from Debian 13's
# docker-compose package, pinned low so nothing else is taken from trixie (sandbox-notes §5).
# Debian 13 and Ubuntu have both in their own archive.
# uses: apt
# Args: none.
set -e
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2119 # the default bound (300 s)
hlw_apt_wait
# The host's own file, not part of this script.
# shellcheck source=/dev/null
. /etc/os-release
if [ "$ID" = debian ] && [ "$VERSION_CODENAME" = bookworm ]; then
  mirror=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\(http[^ ]*\) bookworm .*/\2/p' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)
  [ -n "$mirror" ] || mirror=$(sed -n 's/^URIs: *\(http[^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  echo "deb $mirror trixie main" > /etc/apt/sources.list.d/homelab-wizard-trixie.list
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' > /etc/apt/preferences.d/homelab-wizard-trixie
  hlw_apt_get update -q >/dev/null
  hlw_apt_get install -y -q docker.io >/dev/null
  hlw_apt_get install -y -q --no-install-recommends -t trixie docker-compose >/dev/null
elif [ "$ID" = ubuntu ]; then
  hlw_apt_get update -q >/dev/null && hlw_apt_get install -y -q docker.io docker-compose-v2 >/dev/null
else
  hlw_apt_get update -q >/dev/null && hlw_apt_get install -y -q docker.io docker-compose >/dev/null
fi
systemctl enable --now docker >/dev/null 2>&1
