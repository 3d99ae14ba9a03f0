# Revert of the final sshd configuration during a port move: remove our drop-in, listen on both
# ports again (the transition drop-in), reload sshd.
# uses: sshd
#
#   $1  our drop-in file
#   $2  the transition drop-in file
#   $3  the port before
#   $4  the port after
rm -f "$1"; printf 'Port %s\nPort %s\n' "$3" "$4" > "$2"; sshd_reload
