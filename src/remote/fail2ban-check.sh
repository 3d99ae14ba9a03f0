# Exit 0 when fail2ban runs the sshd jail (asked of its socket by a Python snippet).
#
#   $1  the Python program that asks (JAIL_STATUS in src/steps/harden/fail2ban.ts)
systemctl is-active --quiet fail2ban && python3 -c "$1" 2>/dev/null
