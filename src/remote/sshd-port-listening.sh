# Exit 0 when sshd's effective configuration listens on the port.
#
#   $1  port
sshd -T 2>/dev/null | grep -qx "port $1"
