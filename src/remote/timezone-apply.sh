# Set the time zone (fails when the system has no such zone).
#
#   $1  time zone, e.g. Europe/Paris
[ -f "/usr/share/zoneinfo/$1" ] && ln -sfn "/usr/share/zoneinfo/$1" /etc/localtime && echo "$1" > /etc/timezone
