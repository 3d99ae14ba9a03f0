# Revert of an sshd change: remove a drop-in, reload sshd.
# uses: sshd
#
#   $1  the drop-in file
rm -f "$1"; sshd_reload
