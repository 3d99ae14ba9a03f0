# Exit 0 when `current` points at the release.
#
#   $1  project folder
#   $2  release id
[ "$(readlink "$1/current")" = "releases/$2" ]
