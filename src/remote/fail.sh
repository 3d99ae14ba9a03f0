# A command that cannot run yet: say why on stderr, exit 1.
#
#   $1  the reason
echo "$1" >&2; exit 1
