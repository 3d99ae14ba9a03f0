# A new release folder, started as a copy of the current release so only changed files are uploaded.
#
#   $1  the new release folder
#   $2  project folder (holds `current`)
install -d -m 0750 "$1" && if [ -d "$2/current/" ]; then cp -a "$2/current/." "$1/"; fi
