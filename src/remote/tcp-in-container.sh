# Smoke check run inside a container: exit 0 when a local TCP port accepts a connection; exit 3
# when the image has neither nc nor bash.
#
#   $1  port
if command -v nc >/dev/null 2>&1; then nc -z -w 3 127.0.0.1 "$1"; elif command -v bash >/dev/null 2>&1; then bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1"; else echo 'neither nc nor bash in the container'; exit 3; fi
