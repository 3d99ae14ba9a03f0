# SSH only from the VPN range: allow it from the range, then delete the rule for everyone.
#
#   $1  the VPN range (CIDR)
#   $2  the SSH port
ufw allow from "$1" to any port "$2" proto tcp >/dev/null && ufw delete allow "$2/tcp" >/dev/null
