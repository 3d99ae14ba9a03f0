# Apply of the sshd configuration (its drop-in is uploaded by the step): a Port line in the main
# file would keep the old port open next to ours, so it is commented out; the transition drop-in
# goes; `sshd -t` checks before the reload.
# uses: sshd
#
#   $1  the transition drop-in file
#   $2  our drop-in file (named in the comment left in sshd_config)
sed -i -E "s|^(Port[[:space:]].*)|# \\1  (moved to $2)|" /etc/ssh/sshd_config && rm -f "$1" && sshd -t && sshd_reload
