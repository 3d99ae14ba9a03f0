# state.json of the project from stdin, after a day-2 switch of `current` (0600: it holds
# checksums of env files, which hold secrets).
#
#   $1  project folder
cd "$1" || exit 1
umask 077
cat > state.json.part && mv -f state.json.part state.json
