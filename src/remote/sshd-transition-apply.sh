# The first half of an SSH port move: sshd listens on both ports (a transition drop-in), checked
# by `sshd -t` before the reload.
# uses: sshd
#
#   $1  the transition drop-in file
#   $2  the port before
#   $3  the port after
printf "# homelab-wizard: SSH port move in progress\nPort %s\nPort %s\n" "$2" "$3" > "$1" && sshd -t && sshd_reload
