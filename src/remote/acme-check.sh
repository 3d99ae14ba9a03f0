# Exit 0 when the DNS-01 certificate is in place: the renewal timer active, the last attempt
# passed, and Caddy's `tls` line names a certificate for exactly the host's names that is not due
# for renewal. Prints one line per thing that is not so (plan and status show them).
#
#   $1  the project's tls folder (state, domains)
#   $2  Caddy's certificate folder (site.caddy)
#   $3  the systemd unit's name, without suffix
#   $4  the names the certificate must hold, space-separated
bad=0
say() { printf 'tls: %s\n' "$*"; bad=1; }
systemctl is-active --quiet "$3.timer" || say "renewal timer $3.timer is not active"
state=$1/state
if grep -qx 'result=failed' "$state" 2>/dev/null; then
  say "last renewal failed at $(sed -n 's/^at=//p' "$state"): $(sed -n 's/^message=//p' "$state"); still serving the certificate valid until $(sed -n 's/^served_until=//p' "$state")"
fi
[ "$(cat "$1/domains" 2>/dev/null)" = "$4" ] || say "no certificate for $4 yet"
crt=$(sed -n 's/^tls \/certs\/\([0-9a-f]*\.crt\) .*/\1/p' "$2/site.caddy" 2>/dev/null)
if [ -z "$crt" ] || [ ! -s "$2/$crt" ]; then
  say "Caddy has no certificate to serve ($2/site.caddy)"
elif ! openssl x509 -in "$2/$crt" -noout -checkend 2592000 >/dev/null; then
  say "the certificate served ends within 30 days ($(openssl x509 -in "$2/$crt" -noout -enddate | sed 's/^notAfter=//'))"
fi
exit "$bad"
