# Check of the firewall step: ufw on, and exactly the wanted rules added. The old SSH port's rule
# is tolerated (only the close-old-ssh-port step removes it), never required.
# uses: ufw
#
#   $1  the wanted rules, one a line, as `ufw show added` prints them
#   $2  the SSH port used before hardening
#   $3  in vpn-only mode, the SSH rule from the VPN range (else empty)
#   $4  the public SSH rule (swapped for $3 once the vpn phase put $3 in place)
ufw_on || exit 1
current=$(ufw_added)
set -- "$(ufw_keep_vpn_ssh "$1" "$current" "$3" "$4")" "$2" "$3" "$4"
have=$(printf '%s\n' "$current" | sort -u)
want=$( (printf '%s\n' "$1"; printf '%s\n' "$have" | grep -xF "ufw allow $2/tcp") | sort -u)
[ "$have" = "$want" ]
