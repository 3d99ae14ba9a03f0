# (Re)create the Docker network with the subnet and the internal flag wanted, labelled as ours.
#
#   $1  network name
#   $2  subnet (CIDR)
#   $3  internal: true or false
#   $4  the project it belongs to (label)
internal=''
[ "$3" = true ] && internal=--internal
docker network rm "$1" >/dev/null 2>&1; docker network create --driver bridge --subnet "$2" ${internal:+"$internal"} --label org.homelab-wizard.project="$4" "$1" >/dev/null
