# Obtain or renew the DNS-01 certificate of this host with lego (OVH), then hand it to Caddy:
# installed as a file and run by the project's systemd unit (timer twice a day, and by `apply`).
# Caddy is told through a new `tls` line naming the new pair (site.caddy, imported by every site)
# and a `caddy reload`: a changed config is reloaded gracefully, whatever the Caddy version does
# with unchanged configs. Any failure leaves the served pair and site.caddy as they were, records
# why in the state file (status and smoke show it) and exits 1. A failed last attempt, or settings
# or credentials not yet proven by a renewal (the `proven` digest), make this run renew for real:
# changed OVH keys are proven on the apply that writes them, not two months later.
# Settings come from the unit's environment files: OVH_* (0600) and ACME_* (acme.conf).
# Args: none. ACME_FORCE=1 renews now, due or not. (Its functions: record $1 result, $2 message;
# fail $1 message.)
set -u
dir=$ACME_DIR
state=$dir/state
lego_dir=$dir/lego
first=${ACME_DOMAINS%% *}
crt=$lego_dir/certificates/$first.crt
key=$lego_dir/certificates/$first.key
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# state: `key=value` lines; the served_* lines describe what Caddy serves and survive a failure.
served=$(grep '^served_' "$state" 2>/dev/null || true)
record() {
  { printf 'result=%s\nat=%s\n' "$1" "$now"; [ -z "$2" ] || printf 'message=%s\n' "$2"; [ -z "$served" ] || printf '%s\n' "$served"; } >"$state.tmp" && mv -f "$state.tmp" "$state"
}
fail() {
  record failed "$1"
  printf 'certificate renewal failed: %s\n' "$1" >&2
  exit 1
}

# Authorizations are given up after each certificate, so every renewal validates again through
# OVH (a CA reuses a valid one for weeks otherwise): a renewal that passes proves the credentials.
set -- --path "$lego_dir" --accept-tos --email "$ACME_EMAIL" --server "$ACME_SERVER" --dns ovh
for d in $ACME_DOMAINS; do set -- "$@" --domains "$d"; done
for r in ${ACME_RESOLVERS:-}; do set -- "$@" --dns.resolvers "$r"; done

inputs=$(cat "$dir/ovh.env" "$dir/acme.conf" | sha256sum | cut -c1-64)
log=$(mktemp) || fail 'cannot make a temporary file'
trap 'rm -f "$log"' EXIT
# A certificate lego could not finish writing (a killed run) is obtained anew, not renewed.
if openssl x509 -in "$crt" -noout 2>/dev/null && [ "$(cat "$dir/domains" 2>/dev/null)" = "$ACME_DOMAINS" ]; then
  days=30
  if [ "${ACME_FORCE:-0}" = 1 ] || grep -qx 'result=failed' "$state" 2>/dev/null || [ "$(cat "$dir/proven" 2>/dev/null)" != "$inputs" ]; then days=100000; fi
  lego "$@" renew --days "$days" --no-random-sleep --always-deactivate-authorizations true >"$log" 2>&1
else
  lego "$@" run --always-deactivate-authorizations true >"$log" 2>&1
fi
rc=$?
if [ "$rc" -ne 0 ]; then
  # lego's last error line says what the CA or OVH refused; the credentials are never printed.
  why=$(grep -E 'error|Error|acme:' "$log" | tail -n 1 | sed 's/^[0-9/]* [0-9:]* //' | cut -c1-400)
  fail "lego exited $rc: ${why:-$(tail -n 1 "$log")}"
fi
printf '%s\n' "$ACME_DOMAINS" >"$dir/domains.tmp" && mv -f "$dir/domains.tmp" "$dir/domains"
printf '%s\n' "$inputs" >"$dir/proven.tmp" && mv -f "$dir/proven.tmp" "$dir/proven"

fp=$(openssl x509 -in "$crt" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f' | cut -c1-16) || fail "cannot read $crt"
until=$(openssl x509 -in "$crt" -noout -enddate | sed 's/^notAfter=//')
certs=$ACME_CERTS
if [ ! -s "$certs/$fp.crt" ]; then
  if ! { install -m 0600 "$key" "$certs/.$fp.key.tmp" && mv -f "$certs/.$fp.key.tmp" "$certs/$fp.key" \
    && install -m 0644 "$crt" "$certs/.$fp.crt.tmp" && mv -f "$certs/.$fp.crt.tmp" "$certs/$fp.crt"; }; then
    fail "cannot write the certificate into $certs"
  fi
fi
line="tls /certs/$fp.crt /certs/$fp.key"
if [ "$(cat "$certs/site.caddy" 2>/dev/null)" != "$line" ]; then
  if ! { printf '%s\n' "$line" >"$certs/.site.caddy.tmp" && mv -f "$certs/.site.caddy.tmp" "$certs/site.caddy"; }; then
    fail "cannot write $certs/site.caddy"
  fi
fi
# Reloaded until the state says Caddy took this pair: a run killed between the line and the reload
# is finished by the next one.
previous=$(printf '%s\n' "$served" | sed -n 's/^served_fingerprint=//p')
if [ "$previous" != "$fp" ]; then
  caddy=$(docker ps -q --filter "label=com.docker.compose.project=$ACME_CADDY_PROJECT" --filter label=com.docker.compose.service=caddy)
  # Not running yet (first certificate of a deploy): Caddy reads site.caddy when it starts.
  if [ -n "$caddy" ] && ! out=$(docker exec "$caddy" caddy reload --config /etc/caddy/Caddyfile --adapter caddyfile 2>&1); then
    fail "Caddy did not take the new certificate: $(printf '%s' "$out" | tail -n 1 | cut -c1-300)"
  fi
fi
# Keep the pair in use and nothing older than the one before it (a reload in flight may still read it).
for f in "$certs"/*.crt "$certs"/*.key; do
  [ -e "$f" ] || continue
  base=${f##*/}; base=${base%.*}
  [ "$base" = "$fp" ] || [ "$base" = "$previous" ] || rm -f -- "$f"
done
served=$(printf 'served_fingerprint=%s\nserved_until=%s\nserved_domains=%s\n' "$fp" "$until" "$ACME_DOMAINS")
record ok ''
