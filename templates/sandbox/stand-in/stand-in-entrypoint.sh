#!/bin/sh
# Entry point of the STAND-IN images. Headscale's stand-in is a CLI (`headscale serve` by default,
# as compose files run the real image with `command: serve`); the others serve their endpoints.
# Arguments that name a program run it (`docker run IMAGE sh -c ...`); flags go to the stand-in.
set -e
if [ "$STAND_IN_SERVICE" = headscale ]; then
  [ $# -eq 0 ] && set -- serve
  exec /usr/bin/headscale "$@"
fi
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ] && command -v "$1" >/dev/null 2>&1; then exec "$@"; fi
exec python3 /usr/local/lib/stand-in/stand-in-server.py "$@"
