# Switch `current` atomically, then append who (this run's lock: owner, machine, command) and when
# to the host's append-only `history.jsonl`, which `rollback` lists.
#
#   $1  project folder
#   $2  release id (a folder under releases/)
cd "$1" || exit 1
ln -sfn "releases/$2" current.new && mv -T current.new current || exit 1
by=$(tr -d '\n' < lock/info.json 2>/dev/null | grep . || echo null)
printf '{"at":"%s","release":"%s","by":%s}\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$2" "$by" >> history.jsonl
