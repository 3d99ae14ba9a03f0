# Waiting for another apt or dpkg run on the host (an orphaned apt-get of a stopped run, or
# unattended-upgrades on a fresh server) before a package step runs apt-get.
# uses: progress
#
# hlw_apt_wait [SECONDS]: returns once no process holds an apt or dpkg lock; while one does, it
#   says who (a progress line: pid and command, from /proc/locks, so no fuser or lsof is needed)
#   and after SECONDS (default 300: DPKG_LOCK_TIMEOUT_SECONDS in src/steps/apt.ts; a test checks
#   they agree) it fails naming the holder and what to do.
# hlw_apt_holder: prints `LOCKFILE PID (COMMAND)` of the first held lock; exit 1 when none is held.
# hlw_apt_get ARG...: every apt-get the tool runs on a host. apt's own `DPkg::Lock::Timeout` (300 s,
#   the same bound) makes apt-get wait for the dpkg lock instead of failing at once; `apt-get update`
#   does not honour it for the lists lock, and apt says that it waits only on its progress output
#   (which the steps discard), so hlw_apt_wait comes first.
_al_locks='/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock'
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
hlw_apt_holder() {
  for _al_f in $_al_locks; do
    _al_i=$(stat -c %i "$_al_f" 2>/dev/null) || continue
    _al_p=$(awk -v i="$_al_i" '$2 == "->" { next } { for (k = 2; k <= NF; k++) if ($k ~ /^[0-9a-f]+:[0-9a-f]+:[0-9]+$/) { n = split($k, d, ":"); if (d[n] == i && $(k-1) > 0) { print $(k-1); exit } } }' /proc/locks 2>/dev/null)
    [ -n "$_al_p" ] || continue
    printf '%s %s (%s)\n' "$_al_f" "$_al_p" "$(cat "/proc/$_al_p/comm" 2>/dev/null || echo '?')"
    return 0
  done
  return 1
}
# The bound is optional (the scripts use the default; a test passes a short one).
# shellcheck disable=SC2317,SC2120
hlw_apt_wait() {
  _al_bound=${1:-300}; _al_start=$(date +%s); _al_said=-10
  while _al_h=$(hlw_apt_holder); do
    _al_lock=${_al_h%% *}; _al_who=${_al_h#* }
    _al_t=$(( $(date +%s) - _al_start ))
    if [ "$_al_t" -ge "$_al_bound" ]; then
      echo "the dpkg lock ($_al_lock) is still held after $_al_bound s by process $_al_who: another package run is busy on this host (one of a stopped run, or unattended-upgrades)." >&2
      echo "wait for it to end (ps -p ${_al_who%% *}), or stop it if it hangs (kill ${_al_who%% *}; then dpkg --configure -a), then run the command again" >&2
      return 1
    fi
    if [ $(( _al_t - _al_said )) -ge 10 ]; then
      hlw_progress "waiting for the dpkg lock held by process $_al_who: ${_al_t}/${_al_bound} s"
      _al_said=$_al_t
    fi
    sleep 1
  done
  return 0
}
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
hlw_apt_get() { apt-get -o DPkg::Lock::Timeout=300 "$@"; }
