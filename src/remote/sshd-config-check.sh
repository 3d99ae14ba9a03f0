# Check of the sshd configuration: no transition drop-in, no Port line in the main file, sshd
# listens on the one port, and every wanted setting is in effect (`sshd -T`).
#
#   $1  the transition drop-in file
#   $2  the port
#   $3  and after: the effective settings wanted, as `sshd -T` prints them
[ ! -e "$1" ] && ! grep -qE '^Port[[:space:]]' /etc/ssh/sshd_config && [ "$(sshd -T 2>/dev/null | grep '^port ' | sort)" = "port $2" ] && t=$(sshd -T 2>/dev/null) && shift 2 && for want in "$@"; do printf '%s\n' "$t" | grep -qx "$want" || exit 1; done
