# Apply of the firewall step: deny incoming, allow outgoing, add the wanted rules, delete the
# others, enable. The SSH port used before hardening, which only the close-old-port step may
# remove, is (re)allowed while sshd still listens on it, so enabling the firewall can never cut
# the connection the run is using (vpai-system L-A8).
# uses: ufw
#
#   $1  the wanted rules, one a line, as `ufw show added` prints them
#   $2  the SSH port used before hardening
#   $3  in vpn-only mode, the SSH rule from the VPN range (else empty)
#   $4  the public SSH rule (swapped for $3 once the vpn phase put $3 in place)
set -e
ufw default deny incoming >/dev/null
ufw default allow outgoing >/dev/null
if ss -Hltn "sport = :$2" | grep -q .; then ufw allow "$2/tcp" >/dev/null; fi
current=$(ufw show added | tail -n +2)
set -- "$(ufw_keep_vpn_ssh "$1" "$current" "$3" "$4")" "$2" "$3" "$4"
printf '%s\n' "$1" | while IFS= read -r rule; do
  [ -n "$rule" ] || continue
  # The rule is a whole ufw command line (`ufw allow 443/tcp`): split into its words on purpose.
  # shellcheck disable=SC2086
  printf '%s\n' "$current" | grep -qxF -- "$rule" || $rule >/dev/null
done
printf '%s\n' "$current" | while IFS= read -r rule; do
  [ -n "$rule" ] || continue
  [ "$rule" = "ufw allow $2/tcp" ] && continue
  printf '%s\n' "$1" | grep -qxF -- "$rule" && continue
  # shellcheck disable=SC2086
  ufw delete ${rule#ufw } >/dev/null
done
ufw --force enable >/dev/null
