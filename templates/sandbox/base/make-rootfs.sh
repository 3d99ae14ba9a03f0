#!/usr/bin/env bash
# Builds the sandbox base root filesystem with debootstrap (Debian minbase) and tars it.
#   make-rootfs.sh SUITE MIRROR OUT.tar
# The tweaks are the ones official Debian images make, so that apt behaves in a container build.
# The sandbox server image undoes the last two so that it behaves like a real server.
set -euo pipefail
suite="$1" mirror="$2" out="$3"
work="$(mktemp -d "${out}.work.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
security="${mirror%/debian}/debian-security"
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
SOURCES
echo 'APT::Install-Recommends "false";' >"$root/etc/apt/apt.conf.d/90sandbox-no-recommends"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod 755 "$root/usr/sbin/policy-rc.d"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
tar --numeric-owner -C "$root" -cf "$out.partial" .
mv "$out.partial" "$out"
