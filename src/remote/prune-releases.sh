# Old releases, newest first, beyond the newest N: never `current`, and never a release a
# container still mounts a file from (an unchanged service keeps the release it was created from;
# pruning it would break that container's next start). A release that never went live (a failed
# health gate, a run stopped before the switch: a folder with a release.json, MANIFEST_FILE in
# src/render/release-manifest.ts, whose id history.jsonl never recorded) is no rollback target: it
# does not count among the N, is removed too, and is no reason for the check to fail.
#
#   $1  releases folder
#   $2  N, how many releases to keep
#   $3  compose projects, space-separated (whose containers' mounts are kept)
#   $4  optional: `check` to only say (exit 1 when a release beyond the newest N would be
#       removed, else 0) instead of removing

# Release folders are named by their hex ids (nothing ls could mangle), and `ls -t` orders them
# by time, which a glob cannot: ls | grep is safe here.
# shellcheck disable=SC2010
cd "$1" || exit 1
keep=$(basename "$(readlink ../current)")
never=''
if [ -f ../history.jsonl ]; then
  live=" $(sed -n 's/.*"release":"\([^"]*\)".*/\1/p' ../history.jsonl | tr '\n' ' ') "
  never=$(ls -1 | grep -vxF -- "$keep" | while IFS= read -r r; do [ -f "$r/release.json" ] || continue; case "$live" in *" $r "*) ;; *) printf '%s\n' "$r" ;; esac; done)
fi
old=$(ls -1t | grep -vxF -- "$keep" | { if [ -n "$never" ]; then grep -vxF -- "$never"; else cat; fi; } | tail -n +"$2")
if [ "${4:-}" = check ]; then candidates=$old; else candidates=$(printf '%s\n%s\n' "$old" "$never" | grep .); fi
# Nothing to remove: no need to ask Docker what is mounted (the common case).
[ -n "$candidates" ] || exit 0
used=" $(for pr in $3; do docker ps -aq --filter "label=com.docker.compose.project=$pr"; done | xargs -r docker inspect -f '{{range .Mounts}}{{println .Source}}{{end}}' 2>/dev/null | sed -n "s#^$1/\([^/]*\)/.*#\1#p" | sort -u | tr '\n' ' ') "
gone=$(printf '%s\n' "$candidates" | while IFS= read -r r; do case "$used" in *" $r "*) ;; *) printf '%s\n' "$r" ;; esac; done)
if [ "${4:-}" = check ]; then [ -z "$gone" ]; exit; fi
printf '%s\n' "$gone" | while IFS= read -r r; do [ -n "$r" ] && rm -rf -- "./$r"; done
exit 0
