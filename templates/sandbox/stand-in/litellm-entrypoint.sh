#!/bin/sh
# Entry point of the LiteLLM STAND-IN image: flags go to the stand-in proxy, as the real image's
# entrypoint passes them to `litellm`; a program name runs that program (`docker run IMAGE sh -c ...`).
set -e
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ] && command -v "$1" >/dev/null 2>&1; then exec "$@"; fi
exec python3 /usr/local/lib/stand-in/litellm_stand_in.py "$@"
