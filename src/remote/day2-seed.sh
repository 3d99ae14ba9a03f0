# Seed `releases/<new>.tmp` from the running release for a one-service release (redeploy,
# rollback SERVICE): copy the service's files from a source release, remove its dropped files,
# then write the files given on stdin, one a line: `PATH MODE OWNER BASE64` (they may hold
# secrets, so they never travel in argv).
#
#   $1  project folder
#   $2  base release id (the running one)
#   $3  new release id
#   $4  source release id for copies ('' when none)
#   $5… `c:PATH` (copy from the source) and `r:PATH` (remove) items
cd "$1" || exit 1
new="releases/$3.tmp"; src="releases/$4"; base="releases/$2"
shift 4
rm -rf -- "$new" && cp -a -- "$base" "$new" || exit 1
for a in "$@"; do
  case "$a" in
    c:*) p=${a#c:}; { mkdir -p -- "$(dirname -- "$new/$p")" && cp -a -- "$src/$p" "$new/$p"; } || exit 1 ;;
    r:*) rm -f -- "$new/${a#r:}" ;;
  esac
done
umask 077
while IFS=' ' read -r p mode owner data; do
  [ -n "$p" ] || continue
  mkdir -p -- "$(dirname -- "$new/$p")" || exit 1
  { printf '%s' "$data" | base64 -d > "$new/$p.part" && chmod "$mode" -- "$new/$p.part" && chown "$owner" -- "$new/$p.part" && mv -f -- "$new/$p.part" "$new/$p"; } || exit 1
done
