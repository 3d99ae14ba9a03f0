import { LIB_APT } from '../remote/generated-scripts.js';

/**
 * How long a package step waits for another apt or dpkg run on the host to finish: an orphaned
 * apt-get of a stopped run (it goes on after its SSH connection is gone), or unattended-upgrades
 * on a fresh server. Documented in the README (Hardening).
 */
export const DPKG_LOCK_TIMEOUT_SECONDS = 300;

/**
 * Every apt-get the tool runs on a host. apt's own `DPkg::Lock::Timeout` makes apt-get wait for
 * the dpkg lock instead of failing at once; `apt-get update` does not honour it for the lists
 * lock, and apt says that it waits only on its progress output (which the steps discard), so
 * APT_WAIT comes first.
 */
export const APT_GET = `apt-get -o DPkg::Lock::Timeout=${DPKG_LOCK_TIMEOUT_SECONDS}`;

/** Shell: `hlw_apt_wait [SECONDS]` and `hlw_apt_holder` (src/remote/lib/apt.sh). */
export const APT_WAIT = LIB_APT;
