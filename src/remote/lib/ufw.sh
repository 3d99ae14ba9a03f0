# ufw's state read from its files and the kernel instead of by running `ufw` (a Python program
# that costs 150-300 ms a start): the no-change probe reads the firewall up to three times
# (BENCHMARKS.md, no-change apply). Changes still go through `ufw` itself.
#
# ufw_on: exit 0 when the firewall is on: ufw's chains are loaded (what `ufw status` calls
#   active), it is enabled at boot, and incoming traffic is denied by default (what `ufw status
#   verbose` calls `deny (incoming)`: ufw reads the policy from /etc/default/ufw). A missing chain
#   ends the calling script with exit 1 (not converged).
# ufw_added: the user rules, one per line and sorted, in the form `ufw show added` prints them
#   (`ufw allow 443/tcp`, `ufw allow from CIDR to any port 443 proto tcp`), read from the
#   `### tuple ###` lines ufw keeps in user.rules and user6.rules. The IPv4 and IPv6 tuples of one
#   rule give the same line. Any other rule is printed as `tuple: …`, which never equals a rule
#   this tool wants, so a rule added by hand still shows as a difference.
# ufw_keep_vpn_ssh WANTED CURRENT VPN_RULE PUBLIC_RULE: the wanted rules (one a line), with the
#   public SSH rule swapped for the VPN one when VPN_RULE is given and already in CURRENT: once the
#   vpn phase has restricted SSH to the VPN (after proving it), hardening keeps that restriction
#   instead of opening SSH to everyone again.
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
ufw_on() {
  grep -qx 'ENABLED=yes' /etc/ufw/ufw.conf && grep -qx 'DEFAULT_INPUT_POLICY="DROP"' /etc/default/ufw && for d in input output forward; do iptables -w -n -L "ufw-user-$d" >/dev/null 2>&1 || exit 1; done
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
ufw_added() {
  sed -n \
    -e 's@^### tuple ### allow \([a-z]*\) \([0-9]*\) \(0\.0\.0\.0/0\|::/0\) any \(0\.0\.0\.0/0\|::/0\) in$@ufw allow \2/\1@p' -e t \
    -e 's@^### tuple ### allow \([a-z]*\) \([0-9]*\) \(0\.0\.0\.0/0\|::/0\) any \([0-9a-f.:]*/[0-9]*\) in$@ufw allow from \4 to any port \2 proto \1@p' -e t \
    -e 's@^### tuple ### @tuple: @p' \
    /etc/ufw/user.rules /etc/ufw/user6.rules 2>/dev/null | sort -u
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
ufw_keep_vpn_ssh() {
  if [ -n "$3" ] && printf '%s\n' "$2" | grep -qxF -- "$3"; then
    printf '%s\n' "$1" | sed "s|^$4\$|$3|"
  else
    printf '%s\n' "$1"
  fi
}
