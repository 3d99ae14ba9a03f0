# Exit 0 when every kernel setting has the wanted value.
#
#   $1  and after: `key=value` items
for kv in "$@"; do [ "$(sysctl -n "${kv%%=*}" 2>/dev/null)" = "${kv#*=}" ] || exit 1; done
