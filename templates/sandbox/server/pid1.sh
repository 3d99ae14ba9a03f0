#!/bin/sh
# PID 1 of a sandbox server: make the container look enough like a VM for systemd, then exec it.
set -u
# 1. net.* sysctls belong to this network namespace: make them writable.
if ! touch /proc/sys/net/ipv4/tcp_syncookies 2>/dev/null; then
  mount --bind /proc/sys/net /proc/sys/net && mount -o remount,bind,rw /proc/sys/net
fi
# 2. Host-wide sysctl trees: shadow them with copies, so writes succeed and read back, and the host is untouched.
if [ "${SANDBOX_SYSCTL:-shadow}" = shadow ] && [ ! -d /run/sandbox-sysctl ]; then
  for d in kernel vm fs user abi debug dev; do
    [ -d "/proc/sys/$d" ] || continue
    (cd /proc/sys && find "$d" -type d 2>/dev/null) | while read -r sub; do mkdir -p "/run/sandbox-sysctl/$sub"; done
    (cd /proc/sys && find "$d" -type f 2>/dev/null) | while read -r f; do cat "/proc/sys/$f" >"/run/sandbox-sysctl/$f" 2>/dev/null || true; done
  done
  for f in kernel/hostname kernel/domainname kernel/random/uuid kernel/random/boot_id kernel/random/entropy_avail kernel/ns_last_pid; do
    [ -e "/run/sandbox-sysctl/$f" ] && mount --bind "/proc/sys/$f" "/run/sandbox-sysctl/$f" 2>/dev/null
  done
  for d in kernel vm fs user abi debug dev; do
    [ -d "/run/sandbox-sysctl/$d" ] && mount --rbind "/run/sandbox-sysctl/$d" "/proc/sys/$d" 2>/dev/null
  done
fi
# 3. cgroup v1: Docker mounts the hierarchies read-only; systemd needs them writable.
if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
  awk '$3 == "cgroup" || ($3 == "tmpfs" && $2 == "/sys/fs/cgroup") {print $2}' /proc/self/mounts | while read -r m; do
    mount -o remount,bind,rw "$m" 2>/dev/null || true
  done
fi
# 4. /etc/hosts, /etc/hostname, /etc/resolv.conf are bind mounts (EBUSY for sed -i, hostnamectl):
#    make them ordinary files; keep what the server wrote itself on later boots.
for f in /etc/hosts /etc/hostname /etc/resolv.conf; do
  if grep -q " $f " /proc/self/mounts; then
    content="$(cat "$f")"
    umount "$f" 2>/dev/null || continue
    if [ ! -e /etc/sandbox-firstboot.done ] || [ ! -s "$f" ]; then printf '%s\n' "$content" >"$f"; fi
  fi
done
hostname "$(cat /etc/hostname)" 2>/dev/null || true
exec /lib/systemd/systemd
