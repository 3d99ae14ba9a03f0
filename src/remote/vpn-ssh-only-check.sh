# Check of the vpn-only SSH step: the VPN range's SSH rule is added and the public one is not.
# uses: ufw
#
#   $1  the SSH rule from the VPN range
#   $2  the public SSH rule
r=$(ufw_added); printf "%s\n" "$r" | grep -qxF -- "$1" && ! printf "%s\n" "$r" | grep -qxF -- "$2"
