import { LIB_APT } from '../remote/generated-scripts.js';

/**
 * How long a package step waits for another apt or dpkg run on the host to finish: an orphaned
 * apt-get of a stopped run (it goes on after its SSH connection is gone), or unattended-upgrades
 * on a fresh server. Documented in the README (Hardening).
 */
export const DPKG_LOCK_TIMEOUT_SECONDS = 300;

/**
 * Every apt-get the tool runs on a host, as `hlw_apt_get` in src/remote/lib/apt.sh writes it (a test
 * checks they agree): apt waits for the dpkg lock instead of failing at once.
 */
export const APT_GET = `apt-get -o DPkg::Lock::Timeout=${DPKG_LOCK_TIMEOUT_SECONDS}`;

/** Shell: `hlw_apt_wait [SECONDS]`, `hlw_apt_holder` and `hlw_apt_get` (src/remote/lib/apt.sh). */
export const APT_WAIT = LIB_APT;
