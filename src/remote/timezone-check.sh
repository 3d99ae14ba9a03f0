# Exit 0 when the time zone is set (/etc/localtime and /etc/timezone).
#
#   $1  time zone, e.g. Europe/Paris
[ "$(readlink /etc/localtime)" = "/usr/share/zoneinfo/$1" ] && [ "$(cat /etc/timezone 2>/dev/null)" = "$1" ]
