#!/bin/sh
# STAND-IN for `/usr/bin/loki -health` (the real distroless image probes its own /ready).
[ "${1:-}" = -health ] || { echo "loki stand-in: only -health is supported" >&2; exit 2; }
exec python3 -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3100/ready', timeout=5).status == 200 else 1)"
