# Exit 0 when the host runs the system the profile says (hosts[].os, hosts[].arch); otherwise say
# what it runs. Nothing here changes the host: a different system is the operator's to settle.
#
#   $1  system, e.g. debian-13 or ubuntu-24.04
#   $2  architecture as dpkg names it: amd64 or arm64
# The host's own file, not part of this script.
# shellcheck source=/dev/null
. /etc/os-release
found="$ID-$VERSION_ID ($(dpkg --print-architecture))"
[ "$found" = "$1 ($2)" ] && exit 0
echo "runs $found"
exit 1
