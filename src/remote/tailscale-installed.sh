# Exit 0 when the tailscale command exists and tailscaled runs (where it has a unit: the
# sandbox's stand-in has none).
# Args: none.
command -v tailscale >/dev/null 2>&1 && { ! systemctl cat tailscaled.service >/dev/null 2>&1 || systemctl is-active --quiet tailscaled; }
