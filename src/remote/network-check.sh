# Exit 0 when the Docker network exists with the subnet and the internal flag wanted.
#
#   $1  network name
#   $2  subnet (CIDR)
#   $3  internal: true or false
[ "$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}} {{.Internal}}' "$1" 2>/dev/null)" = "$2 $3" ]
