# The running release's files, base64 one a line (`PATH BASE64`), to show what a redeploy
# changes in them (read-only).
#
#   $1  project folder (holds `current`)
#   $2… release-relative paths
cd "$1/current" || exit 1
shift
for p in "$@"; do printf '%s %s\n' "$p" "$(base64 -w0 -- "$p" 2>/dev/null)"; done
