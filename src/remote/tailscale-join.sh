# Join the mesh. The key arrives on stdin and goes into a 0600 file in a private temp folder,
# removed on exit whatever happens; `tailscale up` reads it with `file:` (never in argv, so never
# in `ps`). --reset and --force-reauth: a node joined elsewhere or with other settings is moved,
# not refused.
#
#   $1  login server URL
#   $2  this node's host name
#   $3  the marker file that records the login server
set -e
umask 077
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cat > "$d/key"
[ -s "$d/key" ] || { echo "no pre-auth key on stdin" >&2; exit 1; }
tailscale up --reset --force-reauth --login-server="$1" --hostname="$2" --auth-key="file:$d/key" --timeout=60s
printf '%s\n' "$1" > "$3"
