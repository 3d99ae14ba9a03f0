# Smoke check run inside a container: the HTTP status code of a local URL, with whatever the
# image has (qdrant's has only bash); exit 3 when it has none of curl, wget, bash.
#
#   $1  port
#   $2  path, starting with /
u="http://127.0.0.1:$1$2"
if command -v curl >/dev/null 2>&1; then curl -s -m 10 -o /dev/null -w '%{http_code}' "$u"
elif command -v wget >/dev/null 2>&1; then wget -S -q -T 10 -O /dev/null "$u" 2>&1 | awk '/HTTP\//{c=$2} END{print c}'
elif command -v bash >/dev/null 2>&1; then bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" && printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" "$1" >&3 && read -r _ code _ <&3 && echo "$code"' "$1" "$2"
else echo 'no curl, wget or bash in the container'; exit 3; fi
