# Exit 0 when Docker runs and the Compose v2 plugin's file is where the docker CLI looks for it
# (not `docker compose version`, which starts two Go programs: about 0.3 s of every no-change run).
#
#   $1  and after: the folders the docker CLI searches for system-wide plugins
systemctl is-active --quiet docker && for d in "$@"; do [ -x "$d/docker-compose" ] && exit 0; done; exit 1
