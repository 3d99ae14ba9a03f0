# Joined means: Running, with an address, and registered with THIS login server. The client says
# which one in `tailscale debug prefs` (ControlURL); where that command does not exist (the
# sandbox's stand-in) the marker the join step wrote says it.
#
#   $1  login server URL (no trailing slash)
#   $2  the marker file the join step writes
tailscale status --json 2>/dev/null | grep -q '"BackendState": "Running"' || exit 1
tailscale ip -4 >/dev/null 2>&1 || exit 1
if prefs=$(tailscale debug prefs 2>/dev/null); then
  printf '%s\n' "$prefs" | grep -qF "\"ControlURL\": \"$1\""
else
  [ "$(cat "$2" 2>/dev/null)" = "$1" ]
fi
