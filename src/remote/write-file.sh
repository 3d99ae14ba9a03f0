# The remote half of an upload, run as root with the content on stdin: write a temp file in the
# target's folder (umask 077, so never readable by others meanwhile), set owner and mode, then
# rename it into place. A missing folder is an error: unlike SFTP putFile, nothing is created.
#
#   $1  the file's path (absolute)
#   $2  mode, octal
#   $3  owner, user:group
set -eu
umask 077
t=$(mktemp -- "$(dirname -- "$1")/.hlw-write.XXXXXX")
trap 'rm -f -- "$t"' EXIT
cat > "$t"
chown -- "$3" "$t"
chmod -- "$2" "$t"
mv -f -- "$t" "$1"
trap - EXIT
